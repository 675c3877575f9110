/**
 * Card number masking (PCI DSS 3.4): any 13-19 digit run, optionally split by spaces or dashes,
 * that passes the Luhn check keeps only its last four digits.
 */

import { luhnValid } from '@payment/card-check';

const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

/** @param {string} text */
export function maskCardNumbers(text) {
  return text.replace(CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
  });
}

/** Mask every string inside a JSON value, keys included. */
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
