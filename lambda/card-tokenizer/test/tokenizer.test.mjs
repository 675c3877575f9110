import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseKeyRing } from '../src/keyring.mjs';
import { createKeyRingSource } from '../src/keysource.mjs';
import { createProcessor } from '../src/processor.mjs';
import { tokenizeLines } from '../src/tokenize.mjs';

// Key ring at version 2 (v1: the legacy "test-tokenization-key", v2: the bytes 0x00..0x1f).
const RING = parseKeyRing(
  JSON.stringify({
    current: '2',
    keys: { 1: '746573742d746f6b656e697a6174696f6e2d6b6579', 2: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' },
  }),
);
// HMAC-SHA-256 under the v2 key (openssl), first 128 bits.
const TOKEN_4111 = 'tok_v2_0622241201382a45912fb22828b3f7db_1111';
const TOKEN_3782 = 'tok_v2_800bccdcf62a4908b23b49512a49f8ea_0005';

describe('tokenization', () => {
  it('replaces a valid pan by a token of the current key version keeping the last four digits', () => {
    const { records, rejected } = tokenizeLines(
      '{"id":"t1","pan":"4111 1111 1111 1111","expiry":"12/29","amountCents":500}\n',
      RING,
    );
    assert.deepEqual(rejected, []);
    assert.deepEqual(records, [{ id: 't1', amountCents: 500, token: TOKEN_4111, keyVersion: '2' }]);
  });

  it('rejects each bad line with its number and reason and keeps the good ones', () => {
    const text = [
      '{"id":"a","pan":"4111111111111111","expiry":"01/30","amountCents":1}',
      'not json',
      '{"id":"b","pan":"4111111111111112","expiry":"01/30","amountCents":1}',
      '{"id":"c","pan":"5500000000000004","expiry":"13/30","amountCents":1}',
      '{"id":"d","pan":"5500000000000004","expiry":"02/30","amountCents":0}',
      '',
    ].join('\n');
    const { records, rejected } = tokenizeLines(text, RING);
    assert.deepEqual(records.map((r) => r.id), ['a']);
    assert.deepEqual(rejected, [
      { line: 2, reason: 'malformed_json' },
      { line: 3, reason: 'invalid_pan' },
      { line: 4, reason: 'invalid_expiry' },
      { line: 5, reason: 'invalid_fields' },
    ]);
  });
});

describe('allow-list of written fields', () => {
  it('writes only id, amountCents, currency, merchantId, token and keyVersion', () => {
    const line = {
      id: 't1',
      pan: '378282246310005',
      expiry: '04/31',
      amountCents: 1250,
      currency: 'EUR',
      merchantId: 'm-7',
      cardholderName: 'A. Cardholder',
      email: 'a@example.com',
      token: 'tok_forged',
      keyVersion: '99',
    };
    const { records, rejected, droppedFields, sadFieldsStripped } = tokenizeLines(JSON.stringify(line), RING);
    assert.deepEqual(rejected, []);
    assert.deepEqual(records, [
      { id: 't1', amountCents: 1250, currency: 'EUR', merchantId: 'm-7', token: TOKEN_3782, keyVersion: '2' },
    ]);
    assert.equal(droppedFields, 4, 'cardholderName, email and the client-sent token and keyVersion');
    assert.equal(sadFieldsStripped, 0);
  });

  it('drops a currency that is not a three-letter code and a merchantId that is not a string', () => {
    const lines = [
      '{"id":"a","pan":"4111111111111111","expiry":"01/30","amountCents":1,"currency":"usd","merchantId":42}',
      '{"id":"b","pan":"4111111111111111","expiry":"01/30","amountCents":1,"currency":"EURO"}',
    ].join('\n');
    const { records, droppedFields } = tokenizeLines(lines, RING);
    assert.deepEqual(records, [
      { id: 'a', amountCents: 1, token: TOKEN_4111, keyVersion: '2' },
      { id: 'b', amountCents: 1, token: TOKEN_4111, keyVersion: '2' },
    ]);
    assert.equal(droppedFields, 3);
  });

  it('never writes sensitive authentication data, at any depth or case, and counts it', () => {
    const line = {
      id: 't1',
      pan: '4111111111111111',
      expiry: '12/29',
      amountCents: 500,
      cvv: '737',
      CVC2: '123',
      Cid: '4321',
      Track2: ';4111111111111111=29121010000012300000?',
      trackData: '%B4111111111111111^CARDHOLDER/A^2912101000000000000000?',
      pin: '1234',
      pin_block: '0412AC89ABCDEF67',
      details: { card: { cvv2: '999', pinBlock: 'FFFF' }, reads: [{ track1: '%B4111' }, { TRACK: 'x' }] },
    };
    const { records, rejected, sadFieldsStripped, droppedFields } = tokenizeLines(JSON.stringify(line), RING);
    assert.deepEqual(rejected, []);
    assert.deepEqual(records, [{ id: 't1', amountCents: 500, token: TOKEN_4111, keyVersion: '2' }]);
    assert.equal(sadFieldsStripped, 11, 'cvv CVC2 Cid Track2 trackData pin pin_block cvv2 pinBlock track1 TRACK');
    assert.equal(droppedFields, 1, 'details (the SAD inside it counted as SAD)');
  });

  it('counts sensitive authentication data in rejected lines too, and writes nothing of them', () => {
    const { records, rejected, sadFieldsStripped } = tokenizeLines(
      '{"id":"t1","pan":"4111111111111112","expiry":"12/29","amountCents":500,"cvc":"123"}',
      RING,
    );
    assert.deepEqual(records, []);
    assert.deepEqual(rejected, [{ line: 1, reason: 'invalid_pan' }]);
    assert.equal(sadFieldsStripped, 1);
  });

  it("rejects a line whose allowed fields carry a card number ('pan_in_field')", () => {
    const lines = [
      '{"id":"4111111111111111","pan":"4111111111111111","expiry":"01/30","amountCents":1}',
      '{"id":"b","pan":"4111111111111111","expiry":"01/30","amountCents":1,"merchantId":"m 6011 0009 9013 9424"}',
      '{"id":"c","pan":"4111111111111111","expiry":"01/30","amountCents":4222222222222}',
      '{"id":"d","pan":"4111111111111111","expiry":"01/30","amountCents":1,"merchantId":"m-4111111111111112"}',
    ].join('\n');
    const { records, rejected } = tokenizeLines(lines, RING);
    assert.deepEqual(rejected, [
      { line: 1, reason: 'pan_in_field' },
      { line: 2, reason: 'pan_in_field' },
      { line: 3, reason: 'pan_in_field' },
    ]);
    assert.deepEqual(records, [
      { id: 'd', amountCents: 1, merchantId: 'm-4111111111111112', token: TOKEN_4111, keyVersion: '2' },
    ]);
  });
});

describe('processor', () => {
  it('writes allow-listed tokenized lines to the processed bucket with SSE-KMS and reports what it stripped', async () => {
    const written = [];
    const handler = createProcessor({
      getObject: async (bucket, key) => {
        assert.deepEqual([bucket, key], ['raw-bucket', 'in/batch 1.jsonl']);
        return '{"id":"t1","pan":"4111111111111111","expiry":"12/29","amountCents":500,"cvv":"737","note":"x"}\n';
      },
      putObject: async (request) => written.push(request),
      keyRing: async () => RING,
      processedBucket: 'processed-bucket',
      dataKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
    });
    const event = { Records: [{ s3: { bucket: { name: 'raw-bucket' }, object: { key: 'in/batch+1.jsonl' } } }] };
    const { results } = await handler(event);
    assert.deepEqual(results, [
      { key: 'in/batch 1.jsonl', tokenized: 1, rejected: [], sadFieldsStripped: 1, droppedFields: 1, keyVersion: '2' },
    ]);
    assert.equal(written.length, 1);
    const [put] = written;
    assert.equal(put.Bucket, 'processed-bucket');
    assert.equal(put.Key, 'tokenized/in/batch 1.jsonl');
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'arn:aws:kms:us-east-1:111122223333:key/k');
    assert.equal(put.Body, `{"id":"t1","amountCents":500,"token":"${TOKEN_4111}","keyVersion":"2"}\n`);
  });
});

describe('key ring source', () => {
  it('keeps the ring for the maximum age, then reads the secret again (a rotation is picked up)', async () => {
    const secrets = ['legacy-key', JSON.stringify({ current: '2', keys: { 2: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' } })];
    let reads = 0;
    let clock = 1000;
    const keyRing = createKeyRingSource({
      fetchSecretString: async () => secrets[reads++],
      maxAgeMs: 60000,
      now: () => clock,
    });
    assert.equal((await keyRing()).current, '1');
    clock += 59999;
    assert.equal((await keyRing()).current, '1');
    assert.equal(reads, 1);
    clock += 1;
    assert.equal((await keyRing()).current, '2');
    assert.equal(reads, 2);
  });
});
