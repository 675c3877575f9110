import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createProcessor } from '../src/processor.mjs';
import { tokenFor, tokenizeLines } from '../src/tokenize.mjs';

const KEY = 'test-tokenization-key';

describe('tokenization', () => {
  it('replaces a valid pan by a keyed token keeping the last four digits', () => {
    const { records, rejected } = tokenizeLines(
      '{"id":"t1","pan":"4111 1111 1111 1111","expiry":"12/29","amountCents":500}\n',
      KEY,
    );
    assert.deepEqual(rejected, []);
    assert.equal(records.length, 1);
    assert.deepEqual(Object.keys(records[0]).sort(), ['amountCents', 'id', 'token']);
    assert.match(records[0].token, /^tok_[0-9a-f]{32}_1111$/);
    assert.equal(records[0].token, tokenFor('4111111111111111', KEY), 'separators do not change the token');
    assert.notEqual(tokenFor('4111111111111111', 'another-key'), records[0].token, 'the token depends on the key');
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
    const { records, rejected } = tokenizeLines(text, KEY);
    assert.deepEqual(records.map((r) => r.id), ['a']);
    assert.deepEqual(rejected, [
      { line: 2, reason: 'malformed_json' },
      { line: 3, reason: 'invalid_pan' },
      { line: 4, reason: 'invalid_expiry' },
      { line: 5, reason: 'invalid_fields' },
    ]);
  });
});

describe('processor', () => {
  it('writes tokenized lines to the processed bucket with SSE-KMS under the data key and no pan', async () => {
    const written = [];
    const handler = createProcessor({
      getObject: async (bucket, key) => {
        assert.deepEqual([bucket, key], ['raw-bucket', 'in/batch 1.jsonl']);
        return '{"id":"t1","pan":"4111111111111111","expiry":"12/29","amountCents":500}\n';
      },
      putObject: async (request) => written.push(request),
      tokenizationKey: async () => KEY,
      processedBucket: 'processed-bucket',
      dataKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
    });
    const event = { Records: [{ s3: { bucket: { name: 'raw-bucket' }, object: { key: 'in/batch+1.jsonl' } } }] };
    const { results } = await handler(event);
    assert.deepEqual(results, [{ key: 'in/batch 1.jsonl', tokenized: 1, rejected: [] }]);
    assert.equal(written.length, 1);
    const [put] = written;
    assert.equal(put.Bucket, 'processed-bucket');
    assert.equal(put.Key, 'tokenized/in/batch 1.jsonl');
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'arn:aws:kms:us-east-1:111122223333:key/k');
    assert.ok(!put.Body.includes('4111111111111111'));
  });
});
