import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import { createApi } from '../src/api.mjs';

const request = (httpMethod, path, body, isBase64Encoded = false) => ({ httpMethod, path, body, isBase64Encoded });

describe('payment API (ALB Lambda target)', () => {
  let queued;
  let api;

  beforeEach(() => {
    queued = [];
    api = createApi({ enqueue: async (body, paymentId) => queued.push({ body: JSON.parse(body), paymentId }) });
  });

  it('queues a valid payment and answers 202 with its id', async () => {
    const payment = { paymentId: 'p-9', merchantId: 'm-1', amount: '12.00', currency: 'GBP' };
    const response = await api(request('POST', '/api/payments', JSON.stringify(payment)));
    assert.equal(response.statusCode, 202);
    assert.deepEqual(JSON.parse(response.body), { paymentId: 'p-9', status: 'queued' });
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.deepEqual(queued, [{ body: payment, paymentId: 'p-9' }]);
  });

  it('reads base64 bodies, as the ALB sends binary content', async () => {
    const body = Buffer.from(JSON.stringify({ paymentId: 'p-1', merchantId: 'm', amount: 1, currency: 'EUR' })).toString('base64');
    assert.equal((await api(request('POST', '/api/payments', body, true))).statusCode, 202);
  });

  it('answers 400 with the reason and queues nothing for an invalid payment', async () => {
    const response = await api(request('POST', '/api/payments', '{"paymentId":"p","merchantId":"m","amount":"1.001","currency":"EUR"}'));
    assert.equal(response.statusCode, 400);
    assert.deepEqual(JSON.parse(response.body), { error: 'invalid_amount' });
    assert.equal(queued.length, 0);
  });

  it('answers the health check, and 404/405 for other paths and methods', async () => {
    assert.equal((await api(request('GET', '/health'))).statusCode, 200);
    assert.equal((await api(request('GET', '/api/payments'))).statusCode, 405);
    assert.equal((await api(request('GET', '/admin'))).statusCode, 404);
    assert.equal(queued.length, 0);
  });
});
