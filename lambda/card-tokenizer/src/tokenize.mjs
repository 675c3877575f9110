/**
 * Tokenization of card data (PCI DSS 3.4): a primary account number is replaced by a token that
 * keeps the last four digits for reconciliation and an HMAC-SHA-256 of the number under a secret
 * key, so equal numbers give equal tokens but a token cannot be turned back into a number.
 *
 * Input: JSON lines, one transaction per line: {id, pan, expiry: "MM/YY", amountCents}.
 * A line that is not valid JSON, lacks a field, or whose pan fails the Luhn check is rejected with
 * its line number and reason; valid lines come back tokenized, with the pan and expiry removed.
 */

import { createHmac } from 'node:crypto';

import { luhnValid } from '@payment/card-check';

/** @param {string} pan @param {Buffer | string} key */
export function tokenFor(pan, key) {
  const mac = createHmac('sha256', key).update(pan).digest('hex').slice(0, 32);
  return `tok_${mac}_${pan.slice(-4)}`;
}

/**
 * @param {string} text JSON lines
 * @param {Buffer | string} key tokenization key
 * @returns {{records: object[], rejected: {line: number, reason: string}[]}}
 */
export function tokenizeLines(text, key) {
  const records = [];
  const rejected = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      rejected.push({ line: index + 1, reason: 'malformed_json' });
      return;
    }
    const pan = typeof entry?.pan === 'string' ? entry.pan.replace(/[ -]/g, '') : '';
    if (!/^\d{13,19}$/.test(pan) || !luhnValid(pan)) {
      rejected.push({ line: index + 1, reason: 'invalid_pan' });
      return;
    }
    if (typeof entry.expiry !== 'string' || !/^(0[1-9]|1[0-2])\/\d{2}$/.test(entry.expiry)) {
      rejected.push({ line: index + 1, reason: 'invalid_expiry' });
      return;
    }
    if (typeof entry.id !== 'string' || !Number.isInteger(entry.amountCents) || entry.amountCents <= 0) {
      rejected.push({ line: index + 1, reason: 'invalid_fields' });
      return;
    }
    const { pan: _pan, expiry: _expiry, ...rest } = entry;
    records.push({ ...rest, token: tokenFor(pan, key) });
  });
  return { records, rejected };
}
