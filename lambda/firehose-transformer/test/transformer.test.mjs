import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { handler } from '../index.mjs';
import { createHandler } from '../src/handler.mjs';
import { maskCardNumbers } from '../src/mask.mjs';

const encode = (text) => Buffer.from(text, 'utf8').toString('base64');
const decode = (data) => Buffer.from(data, 'base64').toString('utf8');

/** Run one record (raw text) through the handler; returns its result and decoded data. */
async function one(text) {
  const { records } = await handler({ records: [{ recordId: 'r1', data: encode(text) }] });
  assert.equal(records.length, 1);
  assert.equal(records[0].recordId, 'r1');
  return { result: records[0].result, text: decode(records[0].data) };
}

// Every clear card number planted by these tests; none may survive in any output.
const PLANTED = ['4111111111111111', '378282246310005', '4222222222222', '6011000990139424', '6221260000000000001', '5500000000000004'];
const assertNoPlantedPan = (text) => {
  for (const pan of PLANTED) assert.ok(!text.replace(/[ -]/g, '').includes(pan), `clear ${pan} in ${text}`);
};

describe('card masking', () => {
  it('masks Luhn-valid card numbers, plain or separated, and nothing else', () => {
    assert.equal(maskCardNumbers('card 4111111111111111 ok'), 'card ************1111 ok');
    assert.equal(maskCardNumbers('card 4111-1111-1111-1111'), 'card ************1111');
    assert.equal(maskCardNumbers('amex 3782 822463 10005'), 'amex ***********0005');
    assert.equal(maskCardNumbers('order 4111111111111112'), 'order 4111111111111112');
    assert.equal(maskCardNumbers('ts 1700000000000'), 'ts 1700000000000');
  });
});

describe('firehose transformation of JSON entries', () => {
  it('returns every record with its recordId, masked, newline-terminated', async () => {
    const entry = { paymentId: 'p1', pan: '5500 0000 0000 0004', amountCents: 1000, nested: { note: 'pan 4111111111111111' } };
    const { result, text } = await one(JSON.stringify(entry));
    assert.equal(result, 'Ok');
    assert.ok(text.endsWith('\n'));
    assert.deepEqual(JSON.parse(text), {
      paymentId: 'p1',
      pan: '************0004',
      amountCents: 1000,
      nested: { note: 'pan ************1111' },
    });
    assertNoPlantedPan(text);
  });

  for (const [label, pan, masked] of [
    ['13-digit Visa', '4222222222222', '*********2222'],
    ['15-digit Amex', '378282246310005', '***********0005'],
    ['16-digit Visa', '4111111111111111', '************1111'],
    ['16-digit Discover', '6011000990139424', '************9424'],
    ['19-digit', '6221260000000000001', '***************0001'],
  ]) {
    it(`masks a planted ${label} number in a string value`, async () => {
      const { result, text } = await one(`{"id":"t1","memo":"card ${pan} used"}`);
      assert.equal(result, 'Ok');
      assert.deepEqual(JSON.parse(text), { id: 't1', memo: `card ${masked} used` });
      assertNoPlantedPan(text);
    });
  }

  it('masks a card number split by mixed spaces and dashes', async () => {
    const { text } = await one('{"pan":"4111 1111-1111 1111"}');
    assert.deepEqual(JSON.parse(text), { pan: '************1111' });
  });

  it('masks a card number used as a JSON key', async () => {
    const { text } = await one('{"cards":{"4111111111111111":"visa"}}');
    assert.deepEqual(JSON.parse(text), { cards: { '************1111': 'visa' } });
    assertNoPlantedPan(text);
  });

  it('masks card numbers inside nested arrays', async () => {
    const { text } = await one('{"batch":[["x",["378282246310005"]],{"more":["6011 0009 9013 9424"]}]}');
    assert.deepEqual(JSON.parse(text), { batch: [['x', ['***********0005']], { more: ['************9424'] }] });
    assertNoPlantedPan(text);
  });

  it('masks a card number carried as a JSON number, including one beyond 2^53', async () => {
    const { text } = await one('{"pan":4111111111111111,"long":6221260000000000001,"inArray":[4222222222222]}');
    assert.deepEqual(JSON.parse(text), {
      pan: '************1111',
      long: '***************0001',
      inArray: ['*********2222'],
    });
    // JSON.parse alone would round the 19-digit number to 6221260000000000000, leaking 18 digits.
    assert.ok(!text.includes('622126000000000000'));
  });

  it('masks a card number written with JSON unicode escapes', async () => {
    const { text } = await one('{"memo":"\\u0034111111111111111"}');
    assert.deepEqual(JSON.parse(text), { memo: '************1111' });
  });

  it('leaves a 16-digit run that fails the Luhn check alone, as a string or a number', async () => {
    const { result, text } = await one('{"order":"4111111111111112","ref":4111111111111112,"ts":1700000000000}');
    assert.equal(result, 'Ok');
    assert.equal(text, '{"order":"4111111111111112","ref":4111111111111112,"ts":1700000000000}\n');
  });
});

describe('firehose transformation of malformed records', () => {
  it('masks a malformed record as text and still marks it ProcessingFailed', async () => {
    const { result, text } = await one('{"truncated": "card 4111 1111 1111 1111", "amex": 378282246310005, "cut');
    assert.equal(result, 'ProcessingFailed');
    assert.equal(text, '{"truncated": "card ************1111", "amex": ***********0005, "cut');
  });

  it('masks JSON that is not an object (array, bare string) as text, ProcessingFailed', async () => {
    const array = await one('[4111111111111111, "6011000990139424"]');
    assert.equal(array.result, 'ProcessingFailed');
    assert.equal(array.text, '[************1111, "************9424"]');
    const bare = await one('"4222222222222"');
    assert.equal(bare.result, 'ProcessingFailed');
    assert.equal(bare.text, '"*********2222"');
  });

  it('passes malformed records without a card number back byte for byte', async () => {
    const bad = [encode('{"truncated":'), encode('[1,2,3]'), encode('null'), 'not base64 json'];
    const { records } = await handler({ records: bad.map((data, i) => ({ recordId: `r${i}`, data })) });
    assert.deepEqual(records.map((r) => r.result), Array(4).fill('ProcessingFailed'));
    assert.deepEqual(records.map((r) => r.data), bad);
    assert.deepEqual(records.map((r) => r.recordId), ['r0', 'r1', 'r2', 'r3']);
  });

  it('logs one line of counts and no record content', async () => {
    const lines = [];
    const handle = createHandler({ log: (line) => lines.push(line) });
    const records = [
      '{"pan":"4111111111111111"}',
      '{"ok":true}',
      'broken 6011000990139424',
      'broken without card',
    ].map((text, i) => ({ recordId: `r${i}`, data: encode(text) }));
    const { records: out } = await handle({ records });
    assert.deepEqual(out.map((r) => r.result), ['Ok', 'Ok', 'ProcessingFailed', 'ProcessingFailed']);
    assert.equal(lines.length, 1);
    assert.deepEqual(JSON.parse(lines[0]), {
      message: 'firehose transformation',
      records: 4,
      ok: 2,
      processingFailed: 2,
      maskedOk: 1,
      maskedProcessingFailed: 1,
    });
    assertNoPlantedPan(lines[0]);
    assert.ok(!lines[0].includes('broken'));
  });
});
