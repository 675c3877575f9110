/**
 * The four steps end to end against the emulator's Secrets Manager (through the real AWS SDK v3
 * client), then the rotated secret read by the card tokenizer's own key ring code: a token made
 * before any rotation still matches, new tokens use the new version.
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import * as sm from '@aws-sdk/client-secrets-manager';

import { parseKeyRing, tokenFor, tokenMatches } from '../../card-tokenizer/src/keyring.mjs';
import { startEmulator } from '../../testing/emulator.mjs';
import { createRotation } from '../src/rotation.mjs';

const PAN = '4111111111111111';
const LEGACY = 'legacy-tokenization-key';
const LEGACY_HEX = '6c65676163792d746f6b656e697a6174696f6e2d6b6579';
// The tokenizer's token of PAN under the plain legacy key, before versioning (openssl dgst -hmac).
const LEGACY_TOKEN = 'tok_63bdb0e36b776c273f5ac9c0b1f110ba_1111';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('tokenization key rotation against the emulator', () => {
  let emulator;
  let secrets;
  let rotate;

  before(async () => {
    emulator = await startEmulator();
    secrets = new sm.SecretsManagerClient(emulator.clientConfig);
    rotate = createRotation({ secrets, commands: sm });
  });
  after(() => emulator?.stop());

  async function newSecret(secretString) {
    const { ARN } = await secrets.send(new sm.CreateSecretCommand({ Name: `tokenization-key-${randomUUID()}`, SecretString: secretString }));
    await secrets.send(new sm.RotateSecretCommand({ SecretId: ARN, RotateImmediately: false, RotationRules: { AutomaticallyAfterDays: 30 } }));
    return ARN;
  }
  const stage = async (arn, VersionStage) => secrets.send(new sm.GetSecretValueCommand({ SecretId: arn, VersionStage }));
  async function rotateOnce(arn) {
    const token = randomUUID();
    // Standing in for Secrets Manager: the four steps in order with one token, as it calls them.
    for (const Step of STEPS) assert.deepEqual(await rotate({ SecretId: arn, ClientRequestToken: token, Step }), { step: Step });
    return token;
  }

  it('rotates a plain key into a ring twice; every earlier token still matches, new ones use the new version', async () => {
    const arn = await newSecret(LEGACY);
    const firstVersionId = (await stage(arn, 'AWSCURRENT')).VersionId;

    const token2 = await rotateOnce(arn);
    const afterFirst = await stage(arn, 'AWSCURRENT');
    assert.equal(afterFirst.VersionId, token2);
    assert.equal((await stage(arn, 'AWSPREVIOUS')).VersionId, firstVersionId);
    const ring2 = JSON.parse(afterFirst.SecretString);
    assert.equal(ring2.current, '2');
    assert.deepEqual(Object.keys(ring2.keys), ['1', '2']);
    assert.equal(ring2.keys['1'], LEGACY_HEX);
    assert.equal(Buffer.from(ring2.keys['2'], 'base64').length, 32);

    const tokenizerRing2 = parseKeyRing(afterFirst.SecretString);
    assert.equal(tokenMatches(LEGACY_TOKEN, PAN, tokenizerRing2), true, 'a token from before versioning still matches');
    const v2Token = tokenFor(PAN, tokenizerRing2);
    assert.match(v2Token, /^tok_v2_[0-9a-f]{32}_1111$/);

    await rotateOnce(arn);
    const afterSecond = await stage(arn, 'AWSCURRENT');
    const ring3 = JSON.parse(afterSecond.SecretString);
    assert.equal(ring3.current, '3');
    assert.deepEqual({ 1: ring3.keys['1'], 2: ring3.keys['2'] }, ring2.keys, 'older versions kept as they were');
    assert.notEqual(ring3.keys['3'], ring3.keys['2']);
    const tokenizerRing3 = parseKeyRing(afterSecond.SecretString);
    assert.equal(tokenMatches(LEGACY_TOKEN, PAN, tokenizerRing3), true);
    assert.equal(tokenMatches(v2Token, PAN, tokenizerRing3), true);
    assert.match(tokenFor(PAN, tokenizerRing3), /^tok_v3_[0-9a-f]{32}_1111$/);
    assert.notEqual(tokenFor(PAN, tokenizerRing3).slice(7, 39), v2Token.slice(7, 39));
  });

  it('repeats nothing when Secrets Manager retries createSecret, and refuses versions it does not know', async () => {
    const arn = await newSecret(LEGACY);
    const token = randomUUID();
    await rotate({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    const pending = await stage(arn, 'AWSPENDING');
    await rotate({ SecretId: arn, ClientRequestToken: token, Step: 'createSecret' });
    assert.equal((await stage(arn, 'AWSPENDING')).SecretString, pending.SecretString);
    await assert.rejects(rotate({ SecretId: arn, ClientRequestToken: randomUUID(), Step: 'testSecret' }), /is not a version of/);
  });
});
