/**
 * Parsing and validation of one payment, shared by the payment API (request bodies) and the payment
 * processor (queue messages).
 *
 * A message body is JSON: {paymentId, merchantId, amount, currency}. Amounts are decimal strings or
 * numbers with at most two decimals; they are kept as integer cents so no float reaches the ledger.
 */

const PAYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const MERCHANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
const AMOUNT = /^(0|[1-9]\d{0,11})(\.\d{1,2})?$/;

/** A payment that cannot be processed, with a short machine-readable reason. */
export class InvalidPayment extends Error {
  /**
   * @param {string} reason e.g. "malformed_json", "invalid_amount"
   * @param {string | undefined} paymentId the id, when one could be read
   */
  constructor(reason, paymentId) {
    super(reason);
    this.name = 'InvalidPayment';
    this.reason = reason;
    this.paymentId = paymentId;
  }
}

/**
 * @param {string} body SQS message body
 * @returns {{paymentId: string, merchantId: string, amountCents: number, currency: string}}
 * @throws {InvalidPayment}
 */
export function parsePayment(body) {
  let raw;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InvalidPayment('malformed_json');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidPayment('malformed_json');
  }
  const paymentId = typeof raw.paymentId === 'string' && PAYMENT_ID.test(raw.paymentId) ? raw.paymentId : undefined;
  if (!paymentId) throw new InvalidPayment('invalid_payment_id');
  if (typeof raw.merchantId !== 'string' || !MERCHANT_ID.test(raw.merchantId)) {
    throw new InvalidPayment('invalid_merchant_id', paymentId);
  }
  if (typeof raw.currency !== 'string' || !CURRENCY.test(raw.currency)) {
    throw new InvalidPayment('invalid_currency', paymentId);
  }
  const amountText = typeof raw.amount === 'number' ? String(raw.amount) : raw.amount;
  if (typeof amountText !== 'string' || !AMOUNT.test(amountText)) {
    throw new InvalidPayment('invalid_amount', paymentId);
  }
  const [whole, fraction = ''] = amountText.split('.');
  const amountCents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (amountCents === 0) throw new InvalidPayment('invalid_amount', paymentId);
  return { paymentId, merchantId: raw.merchantId, amountCents, currency: raw.currency };
}

/**
 * The queue message of a parsed payment: exactly the fields parsePayment reads, the amount written
 * back as a decimal string with two decimals, so that parsePayment(serializePayment(p)) gives p and
 * nothing else from a request body can travel with it.
 *
 * @param {{paymentId: string, merchantId: string, amountCents: number, currency: string}} payment as parsePayment returns it
 * @returns {string} JSON message body
 */
export function serializePayment({ paymentId, merchantId, amountCents, currency }) {
  const amount = `${Math.floor(amountCents / 100)}.${String(amountCents % 100).padStart(2, '0')}`;
  return JSON.stringify({ paymentId, merchantId, amount, currency });
}
