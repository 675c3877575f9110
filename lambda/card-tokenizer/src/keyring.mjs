/**
 * The tokenization key ring and the tokens made with it.
 *
 * The Secrets Manager secret holds the ring as JSON:
 *   {"current": "2", "keys": {"1": "<hex or base64>", "2": "<hex or base64>"}}
 * Versions are positive integers written as strings. A key value made only of hex digits (an even
 * number of them) is hex, anything else must be base64 (the rotation function writes 32 random bytes
 * as base64, which always ends in "=" and so is never read as hex). A secret that is not a JSON object
 * is the key of the first deployments, before versioning: it is version "1", its UTF-8 bytes used as
 * they are, so the tokens already made with it keep matching.
 *
 * A token is `tok_v<version>_<first 128 bits of HMAC-SHA-256(key, pan), hex>_<last four digits>`.
 * New tokens always use the current version; older versions stay in the ring so that a token made
 * before a rotation can still be checked against a card number. Tokens of the first deployments
 * (`tok_<hmac>_<last4>`, no version) are version "1".
 */

import { createHmac, timingSafeEqual } from 'node:crypto';

import { KeyRingError, decodeKey, readCurrentRing } from '@payment/key-ring';

const TOKEN = /^tok_(?:v([1-9]\d{0,8})_)?([0-9a-f]{32})_(\d{4})$/;
const PAN = /^\d{13,19}$/;

export { KeyRingError };

/**
 * @typedef {{current: string, keys: ReadonlyMap<string, Buffer>}} KeyRing
 */

/**
 * Read the secret value: a key ring, or the single key of the first deployments as version "1"
 * (the format lives in @payment/key-ring, which the key rotation reads too).
 *
 * @param {string} secretString the secret's SecretString
 * @returns {KeyRing}
 * @throws {KeyRingError} when the value is empty, or a JSON object but not a usable ring (never
 *   silently used as a plain key: that would tokenize under a key nobody meant)
 */
export function parseKeyRing(secretString) {
  const { current, keys } = readCurrentRing(secretString);
  const ring = new Map(Object.entries(keys).map(([version, text]) => [version, decodeKey(text)]));
  return Object.freeze({ current, keys: ring });
}

function mac(pan, key) {
  return createHmac('sha256', key).update(pan).digest('hex').slice(0, 32);
}

/**
 * The token of a card number under the ring's current key.
 *
 * @param {string} pan digits only
 * @param {KeyRing} ring
 * @returns {string} `tok_v<version>_<32 hex>_<last4>`
 */
export function tokenFor(pan, ring) {
  return `tok_v${ring.current}_${mac(pan, ring.keys.get(ring.current))}_${pan.slice(-4)}`;
}

/**
 * Whether `token` was made from `pan` under any key of the ring (the token names the version). The
 * HMAC is compared in constant time, so a caller learns nothing from the timing about how close a
 * guess was.
 *
 * @param {string} token a token, versioned or of the first deployments (version "1")
 * @param {string} pan card number; spaces and dashes are ignored
 * @param {KeyRing} ring
 * @returns {boolean} false for a malformed token or pan, or a version the ring does not hold
 */
export function tokenMatches(token, pan, ring) {
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  const digits = typeof pan === 'string' ? pan.replace(/[ -]/g, '') : '';
  if (!match || !PAN.test(digits)) return false;
  const [, version = '1', hmac, last4] = match;
  const key = ring.keys.get(version);
  if (!key) return false;
  const same = timingSafeEqual(Buffer.from(mac(digits, key), 'hex'), Buffer.from(hmac, 'hex'));
  return same && digits.slice(-4) === last4;
}
