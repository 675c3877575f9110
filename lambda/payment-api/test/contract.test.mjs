/**
 * The message the API queues is one the payment processor accepts: the API's output is fed to the
 * processor's own handler (its ledger and bus faked here; payment-processor tests them for real).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createProcessor } from '../../payment-processor/src/processor.mjs';
import { createApi } from '../src/api.mjs';

describe('API -> queue -> processor', () => {
  it('the queued message is recorded and announced as succeeded, with only the payment fields', async () => {
    const messages = [];
    const api = createApi({ enqueue: async (body) => messages.push(body), allowedCurrencies: ['EUR'] });
    const request = { httpMethod: 'POST', path: '/api/payments', isBase64Encoded: false };
    const body = { paymentId: 'pay-77', merchantId: 'm-3', amount: '99.95', currency: 'EUR', cvv: '123' };
    assert.equal((await api({ ...request, body: JSON.stringify(body) })).statusCode, 202);

    const recorded = [];
    const published = [];
    const failures = [];
    const processor = createProcessor({
      ledger: { record: async (payment) => recorded.push(payment) > 0, markAnnounced: async () => {} },
      publish: async (entries) => published.push(...entries),
      metrics: { failedPayment: (reason) => failures.push(reason) },
    });
    const result = await processor({ Records: messages.map((m, i) => ({ messageId: `m${i}`, body: m })) });
    assert.deepEqual(result, { batchItemFailures: [] });
    assert.deepEqual(failures, []);
    assert.deepEqual(recorded, [{ paymentId: 'pay-77', merchantId: 'm-3', amountCents: 9995, currency: 'EUR' }]);
    assert.deepEqual(published.map((e) => [e.DetailType, JSON.parse(e.Detail)]), [
      ['payment.succeeded', { paymentId: 'pay-77', merchantId: 'm-3', amountCents: 9995, currency: 'EUR' }],
    ]);
  });
});
