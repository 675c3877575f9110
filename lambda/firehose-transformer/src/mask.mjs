/**
 * Card number masking (PCI DSS 3.4): any 13-19 digit run, optionally split by spaces or dashes,
 * that passes the Luhn check keeps only its last four digits.
 */

const CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;

/** @param {string} digits */
export function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

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
