/**
 * The four rotation steps with an in-memory Secrets Manager (test/fake-secrets.mjs) and a fixed
 * "random" key, so every staged value can be compared with a literal.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';

import * as sm from '@aws-sdk/client-secrets-manager';

import { createRotation } from '../src/rotation.mjs';
import { createFakeSecrets } from './fake-secrets.mjs';

const LEGACY = 'legacy-tokenization-key';
const LEGACY_HEX = '6c65676163792d746f6b656e697a6174696f6e2d6b6579';
const SEVENS_BASE64 = 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=';
const NINES_BASE64 = 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('tokenization key rotation (fake Secrets Manager)', () => {
  let fake;
  let logs;
  let keys;
  let rotate;

  beforeEach(() => {
    fake = createFakeSecrets();
    logs = [];
    keys = [Buffer.alloc(32, 7), Buffer.alloc(32, 9)];
    rotate = createRotation({ secrets: fake, commands: sm, randomKey: () => keys.shift(), log: (f) => logs.push(JSON.stringify(f)) });
  });

  const value = async (id, stage) => (await fake.send(new sm.GetSecretValueCommand({ SecretId: id, VersionStage: stage }))).SecretString;
  const create = async (secretString) => (await fake.send(new sm.CreateSecretCommand({ Name: `s-${randomUUID()}`, SecretString: secretString }))).ARN;
  const rotateAll = async (id, token) => {
    fake.announce(id, token);
    for (const Step of STEPS) assert.deepEqual(await rotate({ SecretId: id, ClientRequestToken: token, Step }), { step: Step });
  };

  it('turns a plain key into a ring, adds version 2 as current, and keeps version 1', async () => {
    const id = await create(LEGACY);
    await rotateAll(id, 'token-a');
    assert.equal(await value(id, 'AWSCURRENT'), `{"current":"2","keys":{"1":"${LEGACY_HEX}","2":"${SEVENS_BASE64}"}}`);
    assert.equal(await value(id, 'AWSPREVIOUS'), LEGACY);
    const { VersionIdsToStages } = await fake.send(new sm.DescribeSecretCommand({ SecretId: id }));
    assert.ok(VersionIdsToStages['token-a'].includes('AWSCURRENT'));
  });

  it('adds version 3 on the next rotation and keeps versions 1 and 2 unchanged', async () => {
    const id = await create(LEGACY);
    await rotateAll(id, 'token-a');
    await rotateAll(id, 'token-b');
    assert.deepEqual(JSON.parse(await value(id, 'AWSCURRENT')), {
      current: '3',
      keys: { 1: LEGACY_HEX, 2: SEVENS_BASE64, 3: NINES_BASE64 },
    });
  });

  it('stages the pending ring once per token: a retried createSecret changes nothing', async () => {
    const id = await create(JSON.stringify({ current: '1', keys: { 1: LEGACY_HEX } }));
    fake.announce(id, 'token-a');
    await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'createSecret' });
    await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'createSecret' });
    assert.equal(await value(id, 'AWSPENDING'), `{"current":"2","keys":{"1":"${LEGACY_HEX}","2":"${SEVENS_BASE64}"}}`);
    assert.equal(keys.length, 1, 'only one key was drawn');
    assert.equal(fake.calls.filter((c) => c === 'PutSecretValueCommand').length, 1);
  });

  it('setSecret calls nothing but the version checks', async () => {
    const id = await create(LEGACY);
    fake.announce(id, 'token-a');
    await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'createSecret' });
    fake.calls.length = 0;
    await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'setSecret' });
    assert.deepEqual(fake.calls, ['DescribeSecretCommand']);
  });

  it('testSecret fails on a pending ring that dropped an old version, and finishSecret is then not reached', async () => {
    const id = await create(JSON.stringify({ current: '1', keys: { 1: LEGACY_HEX } }));
    await fake.send(
      new sm.PutSecretValueCommand({
        SecretId: id,
        ClientRequestToken: 'token-bad',
        SecretString: JSON.stringify({ current: '2', keys: { 2: SEVENS_BASE64 } }),
        VersionStages: ['AWSPENDING'],
      }),
    );
    await assert.rejects(rotate({ SecretId: id, ClientRequestToken: 'token-bad', Step: 'testSecret' }), /lost or changed version 1/);
  });

  it('finishSecret moves AWSCURRENT once; a retried finishSecret is a no-op', async () => {
    const id = await create(LEGACY);
    await rotateAll(id, 'token-a');
    fake.calls.length = 0;
    assert.deepEqual(await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'finishSecret' }), { step: 'finishSecret' });
    assert.ok(!fake.calls.includes('UpdateSecretVersionStageCommand'));
    assert.deepEqual(await rotate({ SecretId: id, ClientRequestToken: 'token-a', Step: 'testSecret' }), {
      step: 'testSecret',
      skipped: 'already current',
    });
  });

  it('refuses unknown steps, unknown versions and secrets without rotation', async () => {
    const id = await create(LEGACY);
    await assert.rejects(rotate({ SecretId: id, ClientRequestToken: 't', Step: 'dropSecret' }), /unknown rotation step/);
    await assert.rejects(rotate({ SecretId: id, ClientRequestToken: 'nope', Step: 'testSecret' }), /is not a version of/);
    fake.disableRotation(id);
    await assert.rejects(rotate({ SecretId: id, ClientRequestToken: 't', Step: 'createSecret' }), /rotation is not enabled/);
  });

  it('never logs key material', async () => {
    const id = await create(LEGACY);
    await rotateAll(id, 'token-a');
    assert.ok(logs.length > 0);
    for (const line of logs) {
      for (const secret of [LEGACY, LEGACY_HEX, SEVENS_BASE64]) assert.ok(!line.includes(secret), line);
    }
  });
});
