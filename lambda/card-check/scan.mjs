/**
 * Finding card numbers in free text (PCI DSS 3.4: a PAN is unreadable wherever it is stored).
 *
 * A digit run is a sequence of digit groups separated by single spaces or dashes ("4111 1111-1111
 * 1111"), bounded by anything else. A card number candidate is any 13 to 19 digits of a run made of
 * whole groups: the whole run, or a stretch of consecutive groups. Looking at every such stretch, not
 * only at the whole run, matters: "ref 12 4111 1111 1111 1111" is one 18-digit run that fails the
 * Luhn check, yet it carries a card number. Stretches never start or end inside a group: inside an
 * unbroken group of digits, about one window in ten passes Luhn by chance (the non-card
 * 4111111111111112 holds the Luhn-valid 1111111111112), so masking inside groups would mask most long
 * identifiers and timestamps while finding no real card numbers that separators do not delimit.
 */

import { luhnValid } from './luhn.mjs';

const RUN = /\d+(?:[ -]\d+)*/g;
const MIN = 13;
const MAX = 19;

/**
 * Which digits of a run to hide: for each Luhn-valid stretch of whole groups with 13 to 19 digits,
 * every digit but its last four, and the separators inside it (dropped, so the masked number reads as
 * one token, e.g. "************1111").
 *
 * @param {string[]} groups the run's digit groups
 * @returns {{hide: Uint8Array, join: Uint8Array} | undefined} per digit and per separator; undefined
 *   when the run holds no card number
 */
function findInRun(groups) {
  const digits = groups.join('');
  if (digits.length < MIN) return undefined;
  const starts = [];
  let offset = 0;
  for (const group of groups) {
    starts.push(offset);
    offset += group.length;
  }
  let hide;
  let join;
  for (let first = 0; first < groups.length; first += 1) {
    for (let last = first; last < groups.length; last += 1) {
      const end = starts[last] + groups[last].length;
      const length = end - starts[first];
      if (length > MAX) break;
      if (length < MIN || !luhnValid(digits.slice(starts[first], end))) continue;
      hide ??= new Uint8Array(digits.length);
      join ??= new Uint8Array(groups.length);
      hide.fill(1, starts[first], end - 4);
      join.fill(1, first, last);
    }
  }
  return hide && { hide, join };
}

/** @param {string} run one digit run (RUN match) */
function maskRun(run) {
  const groups = run.split(/[ -]/);
  const found = findInRun(groups);
  if (!found) return run;
  const separators = run.match(/[ -]/g) ?? [];
  let out = '';
  let index = 0;
  groups.forEach((group, g) => {
    for (const digit of group) {
      out += found.hide[index] ? '*' : digit;
      index += 1;
    }
    if (g < separators.length && !found.join[g]) out += separators[g];
  });
  return out;
}

/**
 * Mask every card number in `text`: each Luhn-valid 13-19 digit stretch (separators allowed, see the
 * module comment) keeps only its last four digits. Everything else is returned unchanged.
 *
 * @param {string} text
 * @returns {string}
 */
export function maskCardNumbers(text) {
  return text.replace(RUN, maskRun);
}

/**
 * Whether `text` carries a card number, by the same rule as {@link maskCardNumbers}.
 *
 * @param {string} text
 * @returns {boolean}
 */
export function containsCardNumber(text) {
  for (const [run] of text.matchAll(RUN)) {
    if (findInRun(run.split(/[ -]/))) return true;
  }
  return false;
}
