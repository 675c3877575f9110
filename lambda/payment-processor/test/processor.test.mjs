/**
 * The processor against a real PostgreSQL: what lands in the ledger, what goes to the bus, what is
 * counted as a failed payment and which messages SQS is asked to redeliver.
 */

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import pg from 'pg';

import { createLedger } from '../src/ledger.mjs';
import { METRIC_NAME, createMetrics } from '../src/metrics.mjs';
import { SOURCE, createProcessor } from '../src/processor.mjs';
import { startPostgres } from '../../testing/postgres.mjs';

const message = (messageId, payment) => ({
  messageId,
  body: typeof payment === 'string' ? payment : JSON.stringify(payment),
});
const payment = (paymentId, amount = '10.00') => ({ paymentId, merchantId: 'm-1', amount, currency: 'USD' });

describe('payment processor with a real ledger', () => {
  let server;
  let pool;
  let published;
  let metricLines;
  let publishFailures;

  before(async () => {
    server = await startPostgres();
    pool = new pg.Pool({ ...server.connection, max: 2 });
  });
  after(async () => {
    await pool?.end();
    server?.stop();
  });
  beforeEach(async () => {
    published = [];
    metricLines = [];
    publishFailures = 0;
    await pool.query('DROP TABLE IF EXISTS payments');
  });

  const processor = (db = pool) =>
    createProcessor({
      ledger: createLedger(db),
      publish: async (entries) => {
        if (publishFailures > 0) {
          publishFailures -= 1;
          throw new Error('bus unavailable');
        }
        published.push(...entries);
      },
      metrics: createMetrics('PaymentPlatform/test', (line) => metricLines.push(JSON.parse(line)), () => 1700000000000),
    });

  it('records a valid payment once and announces it once, even when SQS redelivers it', async () => {
    const handler = processor();
    const event = { Records: [message('m1', payment('pay-1', '42.10'))] };
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.deepEqual(await handler(event), { batchItemFailures: [] });

    const { rows } = await pool.query('SELECT payment_id, merchant_id, amount_cents, currency FROM payments');
    assert.deepEqual(rows, [{ payment_id: 'pay-1', merchant_id: 'm-1', amount_cents: '4210', currency: 'USD' }]);
    assert.equal(published.length, 1);
    assert.equal(published[0].Source, SOURCE);
    assert.equal(published[0].DetailType, 'payment.succeeded');
    assert.deepEqual(JSON.parse(published[0].Detail), {
      paymentId: 'pay-1',
      merchantId: 'm-1',
      amountCents: 4210,
      currency: 'USD',
    });
    assert.equal(metricLines.length, 0);
  });

  it('announces an invalid payment as failed, counts it, records nothing and does not retry it', async () => {
    const result = await processor()({ Records: [message('m2', { ...payment('pay-2'), currency: 'dollars' })] });
    assert.deepEqual(result, { batchItemFailures: [] });
    const { rows } = await pool.query("SELECT to_regclass('payments') IS NULL AS missing");
    assert.equal(rows[0].missing, true, 'nothing was written for an invalid payment');
    assert.equal(published.length, 1);
    assert.equal(published[0].DetailType, 'payment.failed');
    assert.deepEqual(JSON.parse(published[0].Detail), { paymentId: 'pay-2', reason: 'invalid_currency', messageId: 'm2' });
    assert.equal(metricLines.length, 1);
    const [line] = metricLines;
    assert.equal(line[METRIC_NAME], 1);
    assert.equal(line.Reason, 'invalid_currency');
    assert.deepEqual(line._aws.CloudWatchMetrics[0].Metrics, [{ Name: METRIC_NAME, Unit: 'Count' }]);
    assert.equal(line._aws.CloudWatchMetrics[0].Namespace, 'PaymentPlatform/test');
  });

  it('reports only the messages that failed for a transient reason, so only they are redelivered', async () => {
    const broken = { query: async () => { throw new Error('connection terminated'); } };
    const handler = processor(broken);
    const result = await handler({
      Records: [message('bad-json', '{'), message('db-down', payment('pay-3'))],
    });
    assert.deepEqual(result, { batchItemFailures: [{ itemIdentifier: 'db-down' }] });
    assert.deepEqual(published.map((e) => e.DetailType), ['payment.failed']);
  });

  it('retries a payment whose announcement failed, without recording it twice', async () => {
    publishFailures = 1;
    const handler = processor();
    const event = { Records: [message('m4', payment('pay-4'))] };
    assert.deepEqual(await handler(event), { batchItemFailures: [{ itemIdentifier: 'm4' }] });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM payments');
    assert.equal(rows[0].n, 1);
    assert.deepEqual(published, [], 'the failed announcement was not counted as made');
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    const again = await pool.query('SELECT count(*)::int AS n, bool_and(announced_at IS NOT NULL) AS done FROM payments');
    assert.deepEqual(again.rows[0], { n: 1, done: true });
    assert.deepEqual(published.map((e) => e.DetailType), ['payment.succeeded']);
    assert.deepEqual(await handler(event), { batchItemFailures: [] });
    assert.equal(published.length, 1, 'a third delivery announces nothing');
  });

  it('rejects a non-positive amount at the database as well as in the parser', async () => {
    await createLedger(pool).ensureSchema();
    await assert.rejects(
      pool.query("INSERT INTO payments (payment_id, merchant_id, amount_cents, currency) VALUES ('x', 'm', 0, 'USD')"),
      /violates check constraint/,
    );
  });
});
