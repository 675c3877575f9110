/**
 * Rotation of a PostgreSQL user's password kept in a Secrets Manager secret, in the four steps
 * Secrets Manager calls one after the other with the same ClientRequestToken:
 *
 * 1. createSecret: stage a new password as AWSPENDING (once per token, so a retried call is a no-op);
 * 2. setSecret: log in with the current credentials and change the user's password to the pending one
 *    (if the pending one already works, the step has run: nothing to do);
 * 3. testSecret: log in with the pending credentials;
 * 4. finishSecret: move AWSCURRENT to the pending version (AWSPREVIOUS follows automatically).
 *
 * The secret value is JSON: {engine, host, port, username, password, dbname}.
 */

import { finishRotation, rotationHandler } from '@payment/rotation-protocol';

const EXCLUDE = '/@"\'\\ `';

/**
 * @param {{
 *   secrets: {send: (command: object) => Promise<any>},
 *   commands: Record<string, new (input: object) => object>,
 *   connect: (credentials: object) => Promise<{query: (sql: string) => Promise<unknown>, end: () => Promise<void>, escapeIdentifier: (s: string) => string, escapeLiteral: (s: string) => string}>,
 * }} deps
 */
export function createRotation({ secrets, commands, connect }) {
  const send = (name, input) => secrets.send(new commands[name](input));

  async function value(secretId, stage, versionId) {
    const out = await send('GetSecretValueCommand', { SecretId: secretId, VersionStage: stage, VersionId: versionId });
    return JSON.parse(out.SecretString);
  }

  async function canLogIn(credentials) {
    try {
      const client = await connect(credentials);
      try {
        await client.query('SELECT 1');
      } finally {
        await client.end();
      }
      return true;
    } catch {
      return false;
    }
  }

  const steps = {
    async createSecret(secretId, token) {
      const current = await value(secretId, 'AWSCURRENT');
      try {
        await value(secretId, 'AWSPENDING', token);
        return;
      } catch (error) {
        if (error.name !== 'ResourceNotFoundException') throw error;
      }
      const { RandomPassword } = await send('GetRandomPasswordCommand', {
        PasswordLength: 32,
        ExcludeCharacters: EXCLUDE,
      });
      await send('PutSecretValueCommand', {
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify({ ...current, password: RandomPassword }),
        VersionStages: ['AWSPENDING'],
      });
    },

    async setSecret(secretId, token) {
      const pending = await value(secretId, 'AWSPENDING', token);
      if (await canLogIn(pending)) return;
      const current = await value(secretId, 'AWSCURRENT');
      const client = await connect(current);
      try {
        await client.query(
          `ALTER ROLE ${client.escapeIdentifier(pending.username)} WITH PASSWORD ${client.escapeLiteral(pending.password)}`,
        );
      } finally {
        await client.end();
      }
    },

    async testSecret(secretId, token) {
      const pending = await value(secretId, 'AWSPENDING', token);
      if (!(await canLogIn(pending))) throw new Error('testSecret: the pending credentials cannot log in');
    },

    async finishSecret(secretId, token) {
      await finishRotation(send, secretId, token);
    },
  };

  return rotationHandler(steps, send);
}
