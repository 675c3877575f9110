/**
 * Lambda entry point of the payment API (runtime nodejs22.x), the ALB's Lambda target.
 * PAYMENTS_QUEUE_URL names the queue the processor consumes; the SQS client comes with the runtime.
 */

import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

import { createApi } from './src/api.mjs';

const sqs = new SQSClient({});

const api = createApi({
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
