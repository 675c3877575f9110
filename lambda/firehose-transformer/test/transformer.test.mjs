import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { handler } from '../index.mjs';
import { maskCardNumbers } from '../src/mask.mjs';

const encode = (text) => Buffer.from(text, 'utf8').toString('base64');
const decode = (data) => Buffer.from(data, 'base64').toString('utf8');

describe('card masking', () => {
  it('masks Luhn-valid card numbers, plain or separated, and nothing else', () => {
    assert.equal(maskCardNumbers('card 4111111111111111 ok'), 'card ************1111 ok');
    assert.equal(maskCardNumbers('card 4111-1111-1111-1111'), 'card ************1111');
    assert.equal(maskCardNumbers('amex 3782 822463 10005'), 'amex ***********0005');
    assert.equal(maskCardNumbers('order 4111111111111112'), 'order 4111111111111112');
    assert.equal(maskCardNumbers('ts 1700000000000'), 'ts 1700000000000');
  });
});

describe('firehose transformation', () => {
  it('returns every record with its recordId, masked, newline-terminated', async () => {
    const entry = { paymentId: 'p1', pan: '5500 0000 0000 0004', amountCents: 1000, nested: { note: 'pan 4111111111111111' } };
    const { records } = await handler({ records: [{ recordId: 'r1', data: encode(JSON.stringify(entry)) }] });
    assert.equal(records.length, 1);
    assert.equal(records[0].recordId, 'r1');
    assert.equal(records[0].result, 'Ok');
    const text = decode(records[0].data);
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(JSON.parse(text), {
      paymentId: 'p1',
      pan: '************0004',
      amountCents: 1000,
      nested: { note: 'pan ************1111' },
    });
    assert.ok(!text.includes('4111111111111111') && !text.includes('5500 0000'));
  });

  it('masks a card number carried as a JSON number', async () => {
    const { records } = await handler({ records: [{ recordId: 'r1', data: encode('{"pan":4111111111111111}') }] });
    assert.deepEqual(JSON.parse(decode(records[0].data)), { pan: '************1111' });
  });

  it('marks malformed records ProcessingFailed and passes the original data back for the error prefix', async () => {
    const bad = [encode('{"truncated":'), encode('[1,2,3]'), encode('null'), 'not base64 json'];
    const { records } = await handler({ records: bad.map((data, i) => ({ recordId: `r${i}`, data })) });
    assert.deepEqual(records.map((r) => r.result), Array(4).fill('ProcessingFailed'));
    assert.deepEqual(records.map((r) => r.data), bad);
    assert.deepEqual(records.map((r) => r.recordId), ['r0', 'r1', 'r2', 'r3']);
  });
});
