/**
 * The key ring as a warm Lambda container sees it: read from Secrets Manager, parsed, and kept for a
 * few minutes. Kept, so an upload does not cost a Secrets Manager call; for a few minutes only, so a
 * rotation's new current version is used soon after it lands (old tokens keep matching either way).
 */

import { parseKeyRing } from './keyring.mjs';

export const DEFAULT_MAX_AGE_MS = 5 * 60 * 1000;

/**
 * @param {{
 *   fetchSecretString: () => Promise<string>,
 *   maxAgeMs?: number,
 *   now?: () => number,
 * }} deps
 * @returns {() => Promise<import('./keyring.mjs').KeyRing>}
 */
export function createKeyRingSource({ fetchSecretString, maxAgeMs = DEFAULT_MAX_AGE_MS, now = Date.now }) {
  let cached;
  return async function keyRing() {
    if (!cached || now() - cached.loadedAt >= maxAgeMs) {
      cached = { ring: parseKeyRing(await fetchSecretString()), loadedAt: now() };
    }
    return cached.ring;
  };
}
