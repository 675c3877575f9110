/**
 * The payment API never takes card numbers (PCI DSS scope: card data goes to the tokenizer, never
 * through this API or its queue). A request that carries one anywhere is refused whole.
 */

import { containsCardNumber } from '@payment/card-check';

function anyStringCarries(value) {
  if (typeof value === 'string') return containsCardNumber(value);
  if (Array.isArray(value)) return value.some(anyStringCarries);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, inner]) => containsCardNumber(key) || anyStringCarries(inner));
  }
  return false;
}

/**
 * Whether a request body carries a Luhn-valid card number: in its raw text (this also covers
 * numbers, whose digits the JSON parser could round), or in its decoded JSON strings and keys (a
 * number spelled with \u escapes is only visible there).
 *
 * @param {string} body request body, decoded from base64 if need be
 * @returns {boolean}
 */
export function carriesCardNumber(body) {
  if (containsCardNumber(body)) return true;
  try {
    return anyStringCarries(JSON.parse(body));
  } catch {
    return false;
  }
}
