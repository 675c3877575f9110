/**
 * The four rotation steps end to end: Secrets Manager is the emulator's (reached through the real
 * AWS SDK v3 client), the database a real PostgreSQL on loopback.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import * as sm from '@aws-sdk/client-secrets-manager';
import pg from 'pg';

import { startEmulator } from '../../testing/emulator.mjs';
import { startPostgres } from '../../testing/postgres.mjs';
import { createRotation } from '../src/rotation.mjs';

describe('rotation of a PostgreSQL password', () => {
  let emulator;
  let server;
  let secrets;
  let rotate;

  const connect = async ({ host, port, username, password, dbname }) => {
    const client = new pg.Client({ host, port, user: username, password, database: dbname });
    await client.connect();
    return client;
  };

  before(async () => {
    emulator = await startEmulator();
    server = await startPostgres({ passwordAuth: true });
    secrets = new sm.SecretsManagerClient(emulator.clientConfig);
    rotate = createRotation({ secrets, commands: sm, connect });
    const admin = await connect({ ...server.connection, username: server.connection.user, password: server.superuserPassword, dbname: 'postgres' });
    await admin.query("CREATE ROLE app_user LOGIN PASSWORD 'initial-password-1'");
    await admin.end();
  });
  after(() => {
    emulator?.stop();
    server?.stop();
  });

  async function newSecret() {
    const name = `rotation-test-${randomUUID()}`;
    const value = { engine: 'postgres', host: '127.0.0.1', port: server.connection.port, username: 'app_user', password: 'initial-password-1', dbname: 'postgres' };
    const { ARN } = await secrets.send(new sm.CreateSecretCommand({ Name: name, SecretString: JSON.stringify(value) }));
    return ARN;
  }

  async function stageOf(arn, stage) {
    const out = await secrets.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
    return { versionId: out.VersionId, value: JSON.parse(out.SecretString) };
  }

  it('runs createSecret, setSecret, testSecret, finishSecret and the new password becomes current', async () => {
    const arn = await newSecret();
    await secrets.send(new sm.RotateSecretCommand({ SecretId: arn, RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 30 } }));
    const before_ = await stageOf(arn, 'AWSCURRENT');
    const token = randomUUID();
    // Standing in for Secrets Manager: call the four steps in order with one token, as it does.
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      assert.deepEqual(await rotate({ SecretId: arn, ClientRequestToken: token, Step: step }), { step });
    }
    const after_ = await stageOf(arn, 'AWSCURRENT');
    assert.equal(after_.versionId, token);
    assert.notEqual(after_.value.password, before_.value.password);
    assert.equal(after_.value.password.length, 32);
    const previous = await stageOf(arn, 'AWSPREVIOUS');
    assert.equal(previous.versionId, before_.versionId);
    // the database agrees: the new password logs in, the old one no longer does
    const client = await connect(after_.value);
    await client.end();
    await assert.rejects(connect(before_.value), /password authentication failed/);
  });

  it('repeats nothing when Secrets Manager retries a step', async () => {
    const arn = await newSecret();
    await secrets.send(new sm.RotateSecretCommand({ SecretId: arn, RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 30 } }));
    const token = randomUUID();
    await rotate({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    const pending = await secrets.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPENDING' }));
    await rotate({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    const again = await secrets.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPENDING' }));
    assert.equal(again.SecretString, pending.SecretString, 'a retried createSecret keeps the staged password');
    await assert.rejects(
      rotate({ SecretId: arn, ClientRequestToken: randomUUID(), Step: 'setSecret' }),
      /is not a version of/,
    );
  });
});
