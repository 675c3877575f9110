/**
 * Lambda entry point of the payment API (runtime nodejs22.x), the ALB's Lambda target.
 * Settings: PAYMENTS_QUEUE_URL names the queue the processor consumes; CURRENCY_ALLOWLIST lists the
 * currencies taken, comma-separated ("EUR,GBP,USD"): without a valid list every payment is answered
 * 503 not_configured. The SQS client comes with the runtime.
 */

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

import { createApi } from './src/api.mjs';
import { parseCurrencyAllowlist } from './src/config.mjs';

const sqs = new SQSClient({});

const allowedCurrencies = parseCurrencyAllowlist(process.env.CURRENCY_ALLOWLIST);
if (!allowedCurrencies) {
  // Once per container: the value itself is not secret, but say only what is wrong with it.
  console.error(JSON.stringify({ message: 'CURRENCY_ALLOWLIST is absent or invalid: payments are refused (503)' }));
}

const api = createApi({
  allowedCurrencies,
  enqueue: async (body, paymentId) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: process.env.PAYMENTS_QUEUE_URL,
        MessageBody: body,
        MessageAttributes: { paymentId: { DataType: 'String', StringValue: paymentId } },
      }),
    );
  },
});

export async function handler(event) {
  return api(event);
}
