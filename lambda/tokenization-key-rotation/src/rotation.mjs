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

import { finishRotation, rotationHandler } from '@payment/rotation-protocol';

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
      if (await finishRotation(send, secretId, token)) {
        log({ message: 'finishSecret: pending version is current', secretId, token });
      }
    },
  };

  return rotationHandler(steps, send);
}
