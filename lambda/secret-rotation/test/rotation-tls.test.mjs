/**
 * The rotation over TLS, run the way Lambda runs it: the function's own code in a separate Node
 * process whose NODE_EXTRA_CA_CERTS names the CA to trust (on AWS, /var/runtime/ca-cert.pem with the
 * RDS authorities; here a test CA made with openssl). The servers accept TCP logins over TLS only.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import * as sm from '@aws-sdk/client-secrets-manager';
import pg from 'pg';

import { startEmulator } from '../../testing/emulator.mjs';
import { startPostgres } from '../../testing/postgres.mjs';
import { makeTestPki } from '../../testing/tls.mjs';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'tls-child.mjs');
// What Node reports when a certificate chain does not lead to a trusted authority.
const CERTIFICATE_ERRORS = ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'];

describe('rotation of a PostgreSQL password over verified TLS', () => {
  let pki;
  let emulator;
  let server;
  let untrusted;
  let secrets;

  before(async () => {
    pki = makeTestPki();
    emulator = await startEmulator();
    server = await startPostgres({ passwordAuth: true, tls: pki.server });
    untrusted = await startPostgres({ passwordAuth: true, tls: pki.untrustedServer });
    secrets = new sm.SecretsManagerClient(emulator.clientConfig);
    for (const [target, ca] of [[server, pki.ca], [untrusted, pki.untrustedCa]]) {
      const admin = await testConnect(target, { user: target.connection.user, password: target.superuserPassword }, ca.cert);
      await admin.query("CREATE ROLE app_user LOGIN PASSWORD 'initial-password-1'");
      await admin.end();
    }
  });
  after(() => {
    emulator?.stop();
    server?.stop();
    untrusted?.stop();
    pki?.remove();
  });

  /** The test's own checks, outside the code under test: TLS verified against an explicit CA. */
  async function testConnect(target, { user, password }, caFile) {
    const client = new pg.Client({
      ...target.connection,
      user,
      password,
      ssl: caFile ? { ca: readFileSync(caFile, 'utf8'), rejectUnauthorized: true } : false,
    });
    await client.connect();
    return client;
  }

  /** Run test/tls-child.mjs with a Lambda-like environment; `trust` is NODE_EXTRA_CA_CERTS (or none). */
  async function child(request, trust) {
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (name.startsWith('AWS_') || name === 'NODE_EXTRA_CA_CERTS') delete env[name];
    Object.assign(env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'emulator',
      AWS_SECRET_ACCESS_KEY: 'emulator',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    });
    if (trust) env.NODE_EXTRA_CA_CERTS = trust;
    const { stdout } = await promisify(execFile)(process.execPath, [CHILD, JSON.stringify(request)], { env, timeout: 60000 });
    return JSON.parse(stdout.trim().split('\n').at(-1));
  }

  const appCredentials = (target, password = 'initial-password-1') => ({
    engine: 'postgres',
    host: '127.0.0.1',
    port: target.connection.port,
    username: 'app_user',
    password,
    dbname: 'postgres',
  });

  async function newSecret(target) {
    const { ARN } = await secrets.send(
      new sm.CreateSecretCommand({ Name: `rotation-tls-${randomUUID()}`, SecretString: JSON.stringify(appCredentials(target)) }),
    );
    await secrets.send(new sm.RotateSecretCommand({ SecretId: ARN, RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 30 } }));
    return ARN;
  }
  const current = async (arn) => secrets.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));

  it('the servers take TCP logins over TLS only', async () => {
    await assert.rejects(testConnect(server, { user: 'app_user', password: 'initial-password-1' }), /no encryption/);
  });

  it('connects with the certificate verified against the CA named by NODE_EXTRA_CA_CERTS', async () => {
    const out = await child({ action: 'connect', credentials: appCredentials(server) }, pki.ca.cert);
    assert.deepEqual(out.ok && { ok: out.ok, ssl: out.ssl }, { ok: true, ssl: true }, JSON.stringify(out));
    assert.match(out.tlsVersion, /^TLSv1\.[23]$/);
  });

  it('runs the four steps over TLS: the new password logs in, the old one no longer does', async () => {
    const arn = await newSecret(server);
    const before_ = await current(arn);
    const token = randomUUID();
    const out = await child({ action: 'rotate', secretId: arn, token }, pki.ca.cert);
    assert.deepEqual(out, {
      ok: true,
      results: [{ step: 'createSecret' }, { step: 'setSecret' }, { step: 'testSecret' }, { step: 'finishSecret' }],
    });
    const after_ = await current(arn);
    assert.equal(after_.VersionId, token);
    const { password } = JSON.parse(after_.SecretString);
    assert.notEqual(password, 'initial-password-1');
    const client = await testConnect(server, { user: 'app_user', password }, pki.ca.cert);
    await client.end();
    await assert.rejects(
      testConnect(server, { user: 'app_user', password: 'initial-password-1' }, pki.ca.cert),
      /password authentication failed/,
    );
    assert.notEqual(after_.VersionId, before_.VersionId);
  });

  it('refuses a server whose certificate is signed by an untrusted CA', async () => {
    const out = await child({ action: 'connect', credentials: appCredentials(untrusted) }, pki.ca.cert);
    assert.equal(out.ok, false);
    assert.ok(CERTIFICATE_ERRORS.includes(out.error.code), JSON.stringify(out));
  });

  it('does not change a password when the server certificate is not trusted', async () => {
    const arn = await newSecret(untrusted);
    const before_ = await current(arn);
    const out = await child({ action: 'rotate', secretId: arn, token: randomUUID() }, pki.ca.cert);
    assert.equal(out.ok, false);
    assert.equal(out.step, 'setSecret');
    assert.ok(CERTIFICATE_ERRORS.includes(out.error.code), JSON.stringify(out));
    assert.equal((await current(arn)).VersionId, before_.VersionId, 'AWSCURRENT did not move');
    const client = await testConnect(untrusted, { user: 'app_user', password: 'initial-password-1' }, pki.untrustedCa.cert);
    await client.end();
  });

  it('trusts the test CA only through NODE_EXTRA_CA_CERTS: without it the same server is refused', async () => {
    const out = await child({ action: 'connect', credentials: appCredentials(server) }, undefined);
    assert.equal(out.ok, false);
    assert.ok(CERTIFICATE_ERRORS.includes(out.error.code), JSON.stringify(out));
  });
});
