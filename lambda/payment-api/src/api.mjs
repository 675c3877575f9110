/**
 * The payment API behind the internal ALB (Lambda target, multi-value headers off).
 *
 * POST /api/payments with a JSON payment: the body is checked the same way the processor checks it
 * (so a client learns at once that a payment is malformed), queued, and answered 202 with the id.
 * GET /health answers 200 for the target group health check. Anything else is 404 or 405.
 */

import { InvalidPayment, parsePayment } from '@payment/model';

const json = (statusCode, body) => ({
  statusCode,
  statusDescription: `${statusCode}`,
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/** @param {{enqueue: (body: string, paymentId: string) => Promise<void>}} deps */
export function createApi({ enqueue }) {
  return async function handle(request) {
    const path = request.path ?? '/';
    if (path === '/health') return json(200, { status: 'ok' });
    if (path !== '/api/payments') return json(404, { error: 'not_found' });
    if (request.httpMethod !== 'POST') return json(405, { error: 'method_not_allowed' });
    const body = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : request.body ?? '';
    let payment;
    try {
      payment = parsePayment(body);
    } catch (error) {
      if (error instanceof InvalidPayment) return json(400, { error: error.reason });
      throw error;
    }
    await enqueue(JSON.stringify({ ...JSON.parse(body), paymentId: payment.paymentId }), payment.paymentId);
    return json(202, { paymentId: payment.paymentId, status: 'queued' });
  };
}
