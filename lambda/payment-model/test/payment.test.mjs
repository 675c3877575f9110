import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidPayment, parsePayment, serializePayment } from '../index.mjs';

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

describe('serializePayment', () => {
  it('writes exactly the payment fields, the amount as a two-decimal string', () => {
    assert.equal(
      serializePayment({ paymentId: 'pay_001', merchantId: 'm-42', amountCents: 12550, currency: 'EUR' }),
      '{"paymentId":"pay_001","merchantId":"m-42","amount":"125.50","currency":"EUR"}',
    );
    assert.equal(
      serializePayment({ paymentId: 'p', merchantId: 'm', amountCents: 5, currency: 'USD' }),
      '{"paymentId":"p","merchantId":"m","amount":"0.05","currency":"USD"}',
    );
    assert.equal(
      serializePayment({ paymentId: 'p', merchantId: 'm', amountCents: 99999999999999, currency: 'USD' }),
      '{"paymentId":"p","merchantId":"m","amount":"999999999999.99","currency":"USD"}',
    );
  });

  it('gives back what parsePayment reads, and drops every other field of the parsed object', () => {
    const parsed = parsePayment(JSON.stringify({ ...valid, amount: '7.1', cvv: '123', note: 'x' }));
    assert.deepEqual(parsePayment(serializePayment({ ...parsed, cvv: '123' })), {
      paymentId: 'pay_001',
      merchantId: 'm-42',
      amountCents: 710,
      currency: 'EUR',
    });
  });
});
