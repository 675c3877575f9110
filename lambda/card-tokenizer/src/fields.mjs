/**
 * What of an input line may be written out: an allow-list, not a deny-list, so a field nobody
 * thought of never reaches the processed bucket. Sensitive authentication data (PCI DSS 3.3.1: card
 * verification codes, track data, PINs and PIN blocks) must never be stored after authorization, so
 * it is counted wherever it appears, at any depth, to make its arrival upstream visible.
 */

// Field names compared lower-cased with "_", "-" and spaces removed (so pin_block, pinBlock, PIN-Block).
const SENSITIVE_AUTHENTICATION_DATA = new Set([
  'cvv', 'cvc', 'cvv2', 'cvc2', 'cid', 'cav2', 'cvn2', 'cvd', 'csc', 'securitycode',
  'track', 'track1', 'track2', 'trackdata', 'track1data', 'track2data', 'magstripe',
  'pin', 'pinblock',
]);

const CURRENCY = /^[A-Z]{3}$/;

/** Fields the tokenizer reads and replaces by the token: never written, not counted as dropped. */
const CONSUMED = new Set(['pan', 'expiry']);

/**
 * @param {string} name a field name
 * @returns {boolean} whether it names sensitive authentication data
 */
export function isSensitiveAuthenticationData(name) {
  return SENSITIVE_AUTHENTICATION_DATA.has(name.toLowerCase().replace(/[\s_-]/g, ''));
}

/**
 * How many fields naming sensitive authentication data `value` holds, at any depth (inside arrays
 * and inside other such fields too).
 *
 * @param {unknown} value a parsed JSON value
 * @returns {number}
 */
export function countSensitiveAuthenticationData(value) {
  if (Array.isArray(value)) return value.reduce((n, item) => n + countSensitiveAuthenticationData(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  for (const [name, inner] of Object.entries(value)) {
    if (isSensitiveAuthenticationData(name)) count += 1;
    count += countSensitiveAuthenticationData(inner);
  }
  return count;
}

/**
 * The allowed fields of a validated line: id, amountCents, currency (when a three-letter code) and
 * merchantId (when a string). Every other top-level field is dropped; those that are not sensitive
 * authentication data (counted on their own) and not the consumed pan/expiry are counted as dropped.
 *
 * @param {Record<string, unknown>} entry a line whose id and amountCents are already checked
 * @returns {{fields: {id: string, amountCents: number, currency?: string, merchantId?: string}, droppedFields: number}}
 */
export function allowedFields(entry) {
  const fields = { id: entry.id, amountCents: entry.amountCents };
  if (typeof entry.currency === 'string' && CURRENCY.test(entry.currency)) fields.currency = entry.currency;
  if (typeof entry.merchantId === 'string') fields.merchantId = entry.merchantId;
  let droppedFields = 0;
  for (const name of Object.keys(entry)) {
    if (Object.hasOwn(fields, name) || CONSUMED.has(name) || isSensitiveAuthenticationData(name)) continue;
    droppedFields += 1;
  }
  return { fields, droppedFields };
}
