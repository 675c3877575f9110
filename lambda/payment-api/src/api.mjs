/**
 * The payment API behind the internal ALB (Lambda target, multi-value headers off).
 *
 * POST /api/payments with a JSON payment {paymentId, merchantId, amount, currency}:
 * - 503 not_configured when the API was given no currency allow-list (it takes nothing rather than
 *   any currency);
 * - 400 card_data_not_accepted when the body carries a card number anywhere (never echoed back);
 * - 400 with the model's reason when the payment is malformed (checked the same way the processor
 *   checks it, so a client learns at once), 400 currency_not_allowed for a currency off the list;
 * - otherwise only the validated fields are queued (serializePayment: nothing else the client sent
 *   travels on) and the answer is 202 with the id.
 * GET /health answers 200 for the target group health check. Anything else is 404 or 405.
 */

import { InvalidPayment, parsePayment, serializePayment } from '@payment/model';

import { carriesCardNumber } from './card-data.mjs';

const json = (statusCode, body) => ({
  statusCode,
  statusDescription: `${statusCode}`,
  isBase64Encoded: false,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * @param {{
 *   enqueue: (body: string, paymentId: string) => Promise<void>,
 *   allowedCurrencies?: Iterable<string>,
 * }} deps allowedCurrencies: ISO 4217 codes the API takes; absent or empty means not configured
 * @returns {(request: {httpMethod?: string, path?: string, body?: string, isBase64Encoded?: boolean}) => Promise<object>}
 */
export function createApi({ enqueue, allowedCurrencies }) {
  const currencies = new Set(allowedCurrencies ?? []);
  return async function handle(request) {
    const path = request.path ?? '/';
    if (path === '/health') return json(200, { status: 'ok' });
    if (path !== '/api/payments') return json(404, { error: 'not_found' });
    if (request.httpMethod !== 'POST') return json(405, { error: 'method_not_allowed' });
    if (currencies.size === 0) return json(503, { error: 'not_configured' });
    const body = request.isBase64Encoded ? Buffer.from(request.body ?? '', 'base64').toString('utf8') : request.body ?? '';
    if (carriesCardNumber(body)) return json(400, { error: 'card_data_not_accepted' });
    let payment;
    try {
      payment = parsePayment(body);
    } catch (error) {
      if (error instanceof InvalidPayment) return json(400, { error: error.reason });
      throw error;
    }
    if (!currencies.has(payment.currency)) return json(400, { error: 'currency_not_allowed' });
    await enqueue(serializePayment(payment), payment.paymentId);
    return json(202, { paymentId: payment.paymentId, status: 'queued' });
  };
}
