/**
 * Rotation of the card tokenization key ring kept in a Secrets Manager secret, in the four steps
 * Secrets Manager calls one after the other with the same ClientRequestToken:
 *
 * 1. createSecret: read AWSCURRENT, add a version with a new random key, make it the ring's current
 *    version, keep every older version (tokens made under them must still match), and stage the ring
 *    as AWSPENDING under the token (once per token, so a retried call is a no-op);
 * 2. setSecret: nothing to do, no other system holds the key (the tokenizer reads the secret);
 * 3. testSecret: the pending ring parses, its current key exists and is new, nothing was lost;
 * 4. finishSecret: move AWSCURRENT to the pending version (AWSPREVIOUS follows automatically).
 *
 * Key material is never logged, nor put in an error message: only step names and version numbers.
 */

import { randomBytes } from 'node:crypto';

import { KEY_BYTES, addVersion, checkPendingRing, readCurrentRing } from './keyring.mjs';

/**
 * @param {{
 *   secrets: {send: (command: object) => Promise<any>},
 *   commands: Record<string, new (input: object) => object>,
 *   randomKey?: () => Buffer,
 *   log?: (fields: object) => void,
 * }} deps commands: the Secrets Manager client's command classes (GetSecretValueCommand, ...);
 *   randomKey: the new key's bytes (crypto.randomBytes, replaced in tests only)
 * @returns {(event: {SecretId: string, ClientRequestToken: string, Step: string}) => Promise<{step: string, skipped?: string}>}
 */
export function createRotation({ secrets, commands, randomKey = () => randomBytes(KEY_BYTES), log = () => {} }) {
  const send = (name, input) => secrets.send(new commands[name](input));

  async function secretString(secretId, stage, versionId) {
    const out = await send('GetSecretValueCommand', { SecretId: secretId, VersionStage: stage, VersionId: versionId });
    return out.SecretString;
  }

  const steps = {
    async createSecret(secretId, token) {
      const current = readCurrentRing(await secretString(secretId, 'AWSCURRENT'));
      try {
        await secretString(secretId, 'AWSPENDING', token);
        log({ message: 'createSecret: pending version already staged', secretId, token });
        return;
      } catch (error) {
        if (error.name !== 'ResourceNotFoundException') throw error;
      }
      const pending = addVersion(current, randomKey());
      await send('PutSecretValueCommand', {
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify(pending),
        VersionStages: ['AWSPENDING'],
      });
      log({ message: 'createSecret: key version staged', secretId, token, keyVersion: pending.current, versions: Object.keys(pending.keys).length });
    },

    async setSecret() {
      // The key is used only by the tokenizer, which reads it from this secret: nothing to update.
    },

    async testSecret(secretId, token) {
      checkPendingRing(await secretString(secretId, 'AWSPENDING', token), await secretString(secretId, 'AWSCURRENT'));
    },

    async finishSecret(secretId, token) {
      const described = await send('DescribeSecretCommand', { SecretId: secretId });
      const current = Object.entries(described.VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
      if (current === token) return;
      await send('UpdateSecretVersionStageCommand', {
        SecretId: secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token,
        RemoveFromVersionId: current,
      });
      log({ message: 'finishSecret: pending version is current', secretId, token });
    },
  };

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
