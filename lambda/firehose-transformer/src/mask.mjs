/**
 * Card number masking of transaction log entries (PCI DSS 3.4): every Luhn-valid 13-19 digit run
 * (spaces and dashes allowed as separators, see @payment/card-check) keeps only its last four digits,
 * wherever it is in the entry: string values, keys, nested arrays and objects, and number literals.
 */

import { maskCardNumbers } from '@payment/card-check';

export { maskCardNumbers };

// A JSON string (skipped whole, so the digits in it are not read as a number) or a number literal.
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g;

/**
 * Replace each number literal of a JSON text that carries a card number by the masked number as a
 * JSON string. This has to happen before JSON.parse: a number beyond 2^53 (any 17-19 digit PAN) is
 * rounded by the parser, and the rounded digits would neither pass Luhn nor be the original ones.
 *
 * @param {string} text JSON text
 * @returns {string} JSON text with no card number in a number literal
 */
export function maskNumberLiterals(text) {
  return text.replace(STRING_OR_NUMBER, (token) => {
    if (token.startsWith('"')) return token;
    const masked = maskCardNumbers(token);
    return masked === token ? token : JSON.stringify(masked);
  });
}

/**
 * Mask every string inside a parsed JSON value, keys included; an integer that is a card number
 * becomes its masked string.
 *
 * @param {unknown} value
 * @returns {unknown}
 */
export function maskDeep(value) {
  if (typeof value === 'string') return maskCardNumbers(value);
  if (typeof value === 'number' && Number.isInteger(value)) {
    const masked = maskCardNumbers(String(value));
    return masked === String(value) ? value : masked;
  }
  if (Array.isArray(value)) return value.map(maskDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [maskCardNumbers(k), maskDeep(v)]));
  }
  return value;
}
