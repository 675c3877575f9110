/**
 * The tokenization key ring as the rotation sees it: JSON
 *   {"current": "<version>", "keys": {"<version>": "<hex or base64 key>", ...}}
 * with positive integer versions. The format is the card tokenizer's (card-tokenizer/src/keyring.mjs,
 * which also reads the secret); the rotation only needs to read it, add a version and check it, and
 * keeps the key values as the text it found them in.
 *
 * A secret from before versioning holds one plain key, used by the tokenizer as UTF-8 bytes, as
 * version "1". The rotation writes that key into the ring as the hex of those bytes: hex is how the
 * tokenizer reads a value of hex digits, so the bytes, and the tokens made with them, stay the same.
 */

const VERSION = /^[1-9]\d{0,8}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The length of every key the rotation makes: 256 bits, the HMAC-SHA-256 block of security. */
export const KEY_BYTES = 32;

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
 * Decode a key value the way the tokenizer does: hex when only hex digits, base64 otherwise.
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

/**
 * A new ring: every version of `ring` kept as it is, plus `key` (base64) under the next integer
 * version, which becomes current.
 *
 * @param {KeyRing} ring
 * @param {Buffer} key new key bytes
 * @returns {KeyRing}
 */
export function addVersion(ring, key) {
  const next = String(Math.max(...Object.keys(ring.keys).map(Number)) + 1);
  return { current: next, keys: { ...ring.keys, [next]: key.toString('base64') } };
}

/**
 * What testSecret checks of the pending ring against the current secret: it parses, its current
 * version is new and holds a key of KEY_BYTES bytes, and every version of the current ring is still
 * there with the same key bytes (dropping one would orphan the tokens made with it).
 *
 * @param {string} pendingString the AWSPENDING secret value
 * @param {string} currentString the AWSCURRENT secret value
 * @throws {KeyRingError}
 */
export function checkPendingRing(pendingString, currentString) {
  const pending = parseRing(pendingString);
  const current = readCurrentRing(currentString);
  if (Object.hasOwn(current.keys, pending.current)) {
    throw new KeyRingError(`the pending ring's current version ${pending.current} is not new`);
  }
  if (decodeKey(pending.keys[pending.current]).length !== KEY_BYTES) {
    throw new KeyRingError(`the pending key of version ${pending.current} is not ${KEY_BYTES} bytes`);
  }
  for (const [version, text] of Object.entries(current.keys)) {
    if (!Object.hasOwn(pending.keys, version) || !decodeKey(pending.keys[version]).equals(decodeKey(text))) {
      throw new KeyRingError(`the pending ring lost or changed version ${version}`);
    }
  }
}
