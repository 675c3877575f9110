/**
 * The tokenization key ring as the rotation sees it: JSON
 *   {"current": "<version>", "keys": {"<version>": "<hex or base64 key>", ...}}
 * with positive integer versions. The format lives in @payment/key-ring (lambda/key-ring), which the
 * card tokenizer reads too; the rotation only needs to read a ring, add a version and check it, and
 * keeps the key values as the text it found them in.
 *
 * A secret from before versioning holds one plain key, used by the tokenizer as UTF-8 bytes, as
 * version "1". The rotation writes that key into the ring as the hex of those bytes: hex is how the
 * tokenizer reads a value of hex digits, so the bytes, and the tokens made with them, stay the same.
 */

import { KeyRingError, decodeKey, parseRing, readCurrentRing } from '@payment/key-ring';

export { KeyRingError, decodeKey, parseRing, readCurrentRing };

/** The length of every key the rotation makes: 256 bits, the HMAC-SHA-256 block of security. */
export const KEY_BYTES = 32;

/**
 * @typedef {import('@payment/key-ring').KeyRing} KeyRing key values as written in the secret
 */

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
