/**
 * The Secrets Manager rotation protocol, as every rotation function of ours runs it.
 *
 * Secrets Manager calls the function four times per rotation, with {SecretId, ClientRequestToken,
 * Step}: createSecret, setSecret, testSecret, finishSecret. Each step must be idempotent: a step
 * may be retried, and a version already current is not rotated again.
 */

/**
 * @typedef {(name: string, input: object) => Promise<any>} Send a Secrets Manager call by command name
 * @typedef {Record<string, (secretId: string, token: string) => Promise<void>>} Steps
 */

/**
 * The handler running `steps` for a rotation event, after checking the version the event names.
 *
 * @param {Steps} steps the four steps, by name
 * @param {Send} send
 * @returns {(event: {SecretId: string, ClientRequestToken: string, Step: string}) => Promise<{step: string, skipped?: string}>}
 */
export function rotationHandler(steps, send) {
  return async function rotate(event) {
    const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
    const run = Object.hasOwn(steps, step) ? steps[step] : undefined;
    if (!run) throw new Error(`unknown rotation step ${step}`);
    const described = await send('DescribeSecretCommand', { SecretId: secretId });
    if (described.RotationEnabled === false) throw new Error(`rotation is not enabled on ${secretId}`);
    const stages = described.VersionIdsToStages?.[token];
    if (!stages) {
      // Secrets Manager announces the version before createSecret; createSecret may also be the
      // one to create it. Every later step needs it.
      if (step !== 'createSecret') throw new Error(`version ${token} is not a version of ${secretId}`);
      await run(secretId, token);
      return { step };
    }
    if (stages.includes('AWSCURRENT') && step !== 'finishSecret') return { step, skipped: 'already current' };
    if (!stages.includes('AWSPENDING') && !stages.includes('AWSCURRENT')) {
      throw new Error(`version ${token} of ${secretId} is not pending rotation`);
    }
    await run(secretId, token);
    return { step };
  };
}

/**
 * finishSecret: move AWSCURRENT to the version `token` (AWSPREVIOUS follows automatically).
 *
 * @param {Send} send
 * @param {string} secretId
 * @param {string} token
 * @returns {Promise<boolean>} whether the stage moved (false when `token` was already current)
 */
export async function finishRotation(send, secretId, token) {
  const described = await send('DescribeSecretCommand', { SecretId: secretId });
  const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
  if (current === token) return false;
  await send('UpdateSecretVersionStageCommand', {
    SecretId: secretId,
    VersionStage: 'AWSCURRENT',
    MoveToVersionId: token,
    RemoveFromVersionId: current,
  });
  return true;
}
