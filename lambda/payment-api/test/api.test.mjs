import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { createApi } from '../src/api.mjs';
import { parseCurrencyAllowlist } from '../src/config.mjs';

const request = (httpMethod, path, body, isBase64Encoded = false) => ({ httpMethod, path, body, isBase64Encoded });
const post = (body) => request('POST', '/api/payments', typeof body === 'string' ? body : JSON.stringify(body));
const valid = { paymentId: 'p-9', merchantId: 'm-1', amount: '12.00', currency: 'GBP' };

describe('payment API (ALB Lambda target)', () => {
  let queued;
  let api;

  beforeEach(() => {
    queued = [];
    api = createApi({
      enqueue: async (body, paymentId) => queued.push({ body, paymentId }),
      allowedCurrencies: ['EUR', 'GBP', 'USD'],
    });
  });

  it('queues a valid payment and answers 202 with its id', async () => {
    const response = await api(post(valid));
    assert.equal(response.statusCode, 202);
    assert.deepEqual(JSON.parse(response.body), { paymentId: 'p-9', status: 'queued' });
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(queued, [
      { body: '{"paymentId":"p-9","merchantId":"m-1","amount":"12.00","currency":"GBP"}', paymentId: 'p-9' },
    ]);
  });

  it('queues only the validated fields: no cvv, pan, cardNumber or unknown field reaches the queue', async () => {
    const response = await api(
      post({
        ...valid,
        amount: 12,
        cvv: '123',
        pan: '4111111111111112',
        cardNumber: '************1111',
        note: 'hello',
        nested: { anything: true },
        amountCents: 1,
      }),
    );
    assert.equal(response.statusCode, 202);
    assert.deepEqual(queued, [
      { body: '{"paymentId":"p-9","merchantId":"m-1","amount":"12.00","currency":"GBP"}', paymentId: 'p-9' },
    ]);
  });

  it('reads base64 bodies, as the ALB sends binary content', async () => {
    const body = Buffer.from(JSON.stringify({ paymentId: 'p-1', merchantId: 'm', amount: 0.1, currency: 'EUR' })).toString('base64');
    assert.equal((await api(request('POST', '/api/payments', body, true))).statusCode, 202);
    assert.deepEqual(queued, [{ body: '{"paymentId":"p-1","merchantId":"m","amount":"0.10","currency":"EUR"}', paymentId: 'p-1' }]);
  });

  it('answers 400 with the reason and queues nothing for an invalid payment', async () => {
    const response = await api(post('{"paymentId":"p","merchantId":"m","amount":"1.001","currency":"EUR"}'));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(JSON.parse(response.body), { error: 'invalid_amount' });
    assert.equal(queued.length, 0);
  });

  it('answers 400 currency_not_allowed for a well-formed currency off the allow-list', async () => {
    const response = await api(post({ ...valid, currency: 'JPY' }));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(JSON.parse(response.body), { error: 'currency_not_allowed' });
    assert.equal(queued.length, 0);
  });

  it('answers the health check, and 404/405 for other paths and methods', async () => {
    assert.equal((await api(request('GET', '/health'))).statusCode, 200);
    assert.equal((await api(request('GET', '/api/payments'))).statusCode, 405);
    assert.equal((await api(request('GET', '/admin'))).statusCode, 404);
    assert.equal(queued.length, 0);
  });
});

describe('payment API without a currency allow-list', () => {
  for (const [label, allowedCurrencies] of [['absent', undefined], ['empty', []]]) {
    it(`takes no payment at all when the list is ${label}: 503 not_configured`, async () => {
      const queued = [];
      const api = createApi({ enqueue: async (body) => queued.push(body), allowedCurrencies });
      const response = await api(post(valid));
      assert.equal(response.statusCode, 503);
      assert.deepEqual(JSON.parse(response.body), { error: 'not_configured' });
      assert.equal(queued.length, 0);
    });
  }
});

describe('payment API refuses card data', () => {
  let queued;
  let api;

  beforeEach(() => {
    queued = [];
    api = createApi({ enqueue: async (body) => queued.push(body), allowedCurrencies: ['GBP'] });
  });

  const bodies = [
    ['a card number in an extra field', JSON.stringify({ ...valid, cardNumber: '4111111111111111' })],
    ['a separated card number', JSON.stringify({ ...valid, pan: '4111 1111-1111 1111' })],
    ['a 15-digit Amex number in a note', JSON.stringify({ ...valid, note: 'amex 378282246310005 exp 04/31' })],
    ['a 13-digit number as a JSON number', `{"paymentId":"p-9","merchantId":"m-1","amount":"12.00","currency":"GBP","x":4222222222222}`],
    ['a 19-digit number nested in an array', JSON.stringify({ ...valid, cards: [{ n: ['6221260000000000001'] }] })],
    ['a card number as a key', JSON.stringify({ ...valid, meta: { 6011000990139424: true } })],
    ['a card number as the payment id', JSON.stringify({ ...valid, paymentId: '4111111111111111' })],
    ['a card number written with unicode escapes', '{"paymentId":"p-9","merchantId":"m-1","amount":"12.00","currency":"GBP","n":"\\u0034111111111111111"}'],
    ['a card number in a body that is not even JSON', 'pan=4111111111111111&cvv=123'],
  ];
  for (const [label, body] of bodies) {
    it(`answers 400 card_data_not_accepted for ${label}, queues nothing, echoes nothing`, async () => {
      const response = await api(post(body));
      assert.equal(response.statusCode, 400);
      assert.equal(response.body, '{"error":"card_data_not_accepted"}');
      assert.equal(queued.length, 0);
    });
  }

  it('refuses a card number in a base64 body as well', async () => {
    const body = Buffer.from(JSON.stringify({ ...valid, pan: '4111111111111111' })).toString('base64');
    const response = await api(request('POST', '/api/payments', body, true));
    assert.equal(response.body, '{"error":"card_data_not_accepted"}');
  });

  it('accepts digit runs that fail the Luhn check', async () => {
    const response = await api(post({ ...valid, reference: '4111111111111112' }));
    assert.equal(response.statusCode, 202);
  });
});

describe('CURRENCY_ALLOWLIST', () => {
  it('reads a comma-separated list of three-letter codes', () => {
    assert.deepEqual([...parseCurrencyAllowlist('EUR,GBP,USD')], ['EUR', 'GBP', 'USD']);
    assert.deepEqual([...parseCurrencyAllowlist(' EUR , GBP ')], ['EUR', 'GBP']);
  });

  it('is absent when unset, empty or with any entry that is not a code', () => {
    for (const text of [undefined, '', ' ', 'EUR,', 'EUR,,GBP', 'eur', 'EUR,DOLLARS', 'EUR;GBP']) {
      assert.equal(parseCurrencyAllowlist(text), undefined, String(text));
    }
  });
});
