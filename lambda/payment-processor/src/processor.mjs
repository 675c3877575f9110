/**
 * The payments queue consumer: validate, record, announce.
 *
 * - a valid payment is recorded in the ledger and announced as `payment.succeeded`;
 * - an invalid one is announced as `payment.failed` with its reason and counted in the
 *   failed-payment metric; it is not retried (retrying cannot fix it);
 * - a message that fails for a transient reason (database, event bus) is reported in
 *   `batchItemFailures`, so SQS redelivers only that message and, after the queue's maxReceiveCount,
 *   parks it in the DLQ.
 */

import { InvalidPayment, parsePayment } from '@payment/model';

export const SOURCE = 'payments.processor';

/**
 * @param {{
 *   ledger: {record: (payment: object) => Promise<boolean>, markAnnounced: (id: string) => Promise<void>},
 *   publish: (entries: {Source: string, DetailType: string, Detail: string}[]) => Promise<void>,
 *   metrics: {failedPayment: (reason: string) => void},
 *   log?: (message: string, fields: object) => void,
 * }} deps
 */
export function createProcessor({ ledger, publish, metrics, log = () => {} }) {
  /** @param {{messageId: string, body: string}} record */
  async function processRecord(record) {
    let payment;
    try {
      payment = parsePayment(record.body);
    } catch (error) {
      if (!(error instanceof InvalidPayment)) throw error;
      metrics.failedPayment(error.reason);
      await publish([
        {
          Source: SOURCE,
          DetailType: 'payment.failed',
          Detail: JSON.stringify({ paymentId: error.paymentId ?? null, reason: error.reason, messageId: record.messageId }),
        },
      ]);
      log('payment rejected', { messageId: record.messageId, reason: error.reason });
      return;
    }
    const pending = await ledger.record(payment);
    if (!pending) {
      log('payment already recorded and announced', { paymentId: payment.paymentId });
      return;
    }
    await publish([
      {
        Source: SOURCE,
        DetailType: 'payment.succeeded',
        Detail: JSON.stringify({
          paymentId: payment.paymentId,
          merchantId: payment.merchantId,
          amountCents: payment.amountCents,
          currency: payment.currency,
        }),
      },
    ]);
    await ledger.markAnnounced(payment.paymentId);
  }

  /** @param {{Records: {messageId: string, body: string}[]}} event SQS batch */
  return async function handler(event) {
    const batchItemFailures = [];
    for (const record of event.Records ?? []) {
      try {
        await processRecord(record);
      } catch (error) {
        log('payment will be retried', { messageId: record.messageId, error: error?.name ?? 'Error' });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
