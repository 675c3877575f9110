/**
 * The tokenization key ring: its format, read by the card tokenizer and by the key rotation.
 *
 * The Secrets Manager secret holds the ring as JSON:
 *   {"current": "2", "keys": {"1": "<hex or base64>", "2": "<hex or base64>"}}
 * Versions are positive integers written as strings. A key value made only of hex digits (an even
 * number of them) is hex, anything else must be base64 (the rotation writes 32 random bytes as
 * base64, which always ends in "=" and so is never read as hex). A secret that is not a JSON object
 * is the key of the first deployments, before versioning: it is version "1", its UTF-8 bytes used as
 * they are (written into a ring as the hex of those bytes), so the tokens already made with it keep
 * matching.
 */

const VERSION = /^[1-9]\d{0,8}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** A key ring that cannot be used. The message never holds key material. */
export class KeyRingError extends Error {
  constructor(message) {
    super(message);
    this.name = 'KeyRingError';
  }
}

/**
 * @typedef {{current: string, keys: Record<string, string>}} KeyRing key values as written in the secret
 */

/**
 * Decode one key value of the ring: hex when it is only hex digits, base64 otherwise.
 *
 * @param {unknown} text
 * @returns {Buffer}
 * @throws {KeyRingError}
 */
export function decodeKey(text) {
  if (typeof text === 'string' && HEX.test(text)) return Buffer.from(text, 'hex');
  if (typeof text === 'string' && text.length > 0 && BASE64.test(text)) return Buffer.from(text, 'base64');
  throw new KeyRingError('a key of the ring is neither hex nor base64');
}

/**
 * Read a ring, strictly: a JSON object with a current version that has a key, every version a
 * positive integer, every key decodable.
 *
 * @param {string} secretString
 * @returns {KeyRing}
 * @throws {KeyRingError}
 */
export function parseRing(secretString) {
  let parsed;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new KeyRingError('the secret is not a JSON key ring');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new KeyRingError('the secret is not a JSON key ring');
  }
  const { current, keys } = parsed;
  if (typeof current !== 'string' || !VERSION.test(current)) {
    throw new KeyRingError('the key ring has no valid "current" version');
  }
  if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
    throw new KeyRingError('the key ring has no "keys" object');
  }
  for (const [version, text] of Object.entries(keys)) {
    if (!VERSION.test(version)) throw new KeyRingError('a key ring version is not a positive integer');
    decodeKey(text);
  }
  if (!Object.hasOwn(keys, current)) throw new KeyRingError(`the key ring has no key for its current version ${current}`);
  return { current, keys: { ...keys } };
}

/**
 * Read the current secret: a ring, or the plain key of the first deployments as version "1".
 *
 * @param {string} secretString
 * @returns {KeyRing}
 * @throws {KeyRingError} for an empty secret, or a JSON object that is not a usable ring
 */
export function readCurrentRing(secretString) {
  if (typeof secretString !== 'string' || secretString.length === 0) {
    throw new KeyRingError('the tokenization secret is empty');
  }
  let parsed;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { current: '1', keys: { 1: Buffer.from(secretString, 'utf8').toString('hex') } };
  }
  return parseRing(secretString);
}
