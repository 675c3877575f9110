/**
 * Tokenization of card data (PCI DSS 3.4): a primary account number is replaced by a token that
 * keeps the last four digits for reconciliation and an HMAC-SHA-256 of the number under a secret
 * key (see keyring.mjs), so equal numbers give equal tokens under one key version but a token cannot
 * be turned back into a number.
 *
 * Input: JSON lines, one transaction per line: {id, pan, expiry: "MM/YY", amountCents, currency?,
 * merchantId?}. A line that is not valid JSON, lacks a field, or whose pan fails the Luhn check is
 * rejected with its line number and reason. Valid lines come back as an allow-list of fields only
 * (fields.mjs) plus the token and its key version; a line whose allowed fields would still carry a
 * card number is rejected ('pan_in_field') rather than written.
 */

import { containsCardNumber, luhnValid } from '@payment/card-check';

import { allowedFields, countSensitiveAuthenticationData } from './fields.mjs';
import { tokenFor } from './keyring.mjs';

export { tokenFor, tokenMatches } from './keyring.mjs';

/**
 * @typedef {{id: string, amountCents: number, currency?: string, merchantId?: string, token: string, keyVersion: string}} TokenizedRecord
 */

/**
 * @param {string} text JSON lines
 * @param {import('./keyring.mjs').KeyRing} ring tokenization key ring; its current version is used
 * @returns {{
 *   records: TokenizedRecord[],
 *   rejected: {line: number, reason: string}[],
 *   sadFieldsStripped: number,
 *   droppedFields: number,
 * }} sadFieldsStripped counts sensitive authentication data fields in every parsed line, written or
 *   rejected (none is ever written); droppedFields counts the other fields left out of written records
 */
export function tokenizeLines(text, ring) {
  const records = [];
  const rejected = [];
  let sadFieldsStripped = 0;
  let droppedFields = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const reject = (reason) => rejected.push({ line: index + 1, reason });
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      reject('malformed_json');
      return;
    }
    sadFieldsStripped += countSensitiveAuthenticationData(entry);
    const pan = typeof entry?.pan === 'string' ? entry.pan.replace(/[ -]/g, '') : '';
    if (!/^\d{13,19}$/.test(pan) || !luhnValid(pan)) {
      reject('invalid_pan');
      return;
    }
    if (typeof entry.expiry !== 'string' || !/^(0[1-9]|1[0-2])\/\d{2}$/.test(entry.expiry)) {
      reject('invalid_expiry');
      return;
    }
    if (typeof entry.id !== 'string' || !Number.isSafeInteger(entry.amountCents) || entry.amountCents <= 0) {
      reject('invalid_fields');
      return;
    }
    const { fields, droppedFields: dropped } = allowedFields(entry);
    // Defence in depth: an id, merchant id or amount that is itself a card number would be stored
    // in the clear next to its token.
    if (Object.values(fields).some((value) => containsCardNumber(String(value)))) {
      reject('pan_in_field');
      return;
    }
    droppedFields += dropped;
    records.push({ ...fields, token: tokenFor(pan, ring), keyVersion: ring.current });
  });
  return { records, rejected, sadFieldsStripped, droppedFields };
}
