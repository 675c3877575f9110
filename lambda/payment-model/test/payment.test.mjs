import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidPayment, parsePayment } from '../index.mjs';

const valid = { paymentId: 'pay_001', merchantId: 'm-42', amount: '125.50', currency: 'EUR' };

describe('parsePayment', () => {
  it('keeps amounts as integer cents', () => {
    assert.deepEqual(parsePayment(JSON.stringify(valid)), {
      paymentId: 'pay_001',
      merchantId: 'm-42',
      amountCents: 12550,
      currency: 'EUR',
    });
    assert.equal(parsePayment(JSON.stringify({ ...valid, amount: 0.1 })).amountCents, 10);
    assert.equal(parsePayment(JSON.stringify({ ...valid, amount: '7' })).amountCents, 700);
  });

  const rejected = [
    ['not json', 'malformed_json', undefined],
    ['[1,2]', 'malformed_json', undefined],
    [JSON.stringify({ ...valid, paymentId: 'bad id with spaces' }), 'invalid_payment_id', undefined],
    [JSON.stringify({ ...valid, merchantId: '' }), 'invalid_merchant_id', 'pay_001'],
    [JSON.stringify({ ...valid, currency: 'eur' }), 'invalid_currency', 'pay_001'],
    [JSON.stringify({ ...valid, amount: '1.234' }), 'invalid_amount', 'pay_001'],
    [JSON.stringify({ ...valid, amount: -5 }), 'invalid_amount', 'pay_001'],
    [JSON.stringify({ ...valid, amount: '0.00' }), 'invalid_amount', 'pay_001'],
    [JSON.stringify({ ...valid, amount: 1e21 }), 'invalid_amount', 'pay_001'],
  ];
  for (const [body, reason, paymentId] of rejected) {
    it(`rejects ${body.slice(0, 40)} as ${reason}`, () => {
      assert.throws(
        () => parsePayment(body),
        (error) => error instanceof InvalidPayment && error.reason === reason && error.paymentId === paymentId,
      );
    });
  }
});
