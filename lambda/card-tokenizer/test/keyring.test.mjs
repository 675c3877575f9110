/**
 * Key ring parsing, versioned tokens and matching across a rotation. Expected HMACs are literals
 * computed outside this code (openssl dgst -sha256 -hmac / -macopt hexkey:...).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyRingError, parseKeyRing, tokenFor, tokenMatches } from '../src/keyring.mjs';

const PAN = '4111111111111111';
// The single key of the first deployments, and the same bytes written as hex in a ring.
const LEGACY_KEY = 'test-tokenization-key';
const LEGACY_KEY_HEX = '746573742d746f6b656e697a6174696f6e2d6b6579';
// HMAC-SHA-256("test-tokenization-key", PAN), first 128 bits.
const V1_MAC = 'a2c058fa506a613bbf8f0e4ec56d032b';
// Version 2: the 32 bytes 0x00..0x1f, as base64 and as hex; HMAC of PAN under it.
const V2_KEY_BASE64 = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
const V2_KEY_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
const V2_MAC = '0622241201382a45912fb22828b3f7db';

const ringV1 = JSON.stringify({ current: '1', keys: { 1: LEGACY_KEY_HEX } });
const ringV2 = JSON.stringify({ current: '2', keys: { 1: LEGACY_KEY_HEX, 2: V2_KEY_BASE64 } });

describe('key ring', () => {
  it('reads a plain (pre-versioning) secret as version 1, its UTF-8 bytes used as the key', () => {
    const ring = parseKeyRing(LEGACY_KEY);
    assert.equal(ring.current, '1');
    assert.equal(tokenFor(PAN, ring), `tok_v1_${V1_MAC}_1111`);
  });

  it('reads a ring; hex and base64 key values give the same key', () => {
    assert.equal(tokenFor(PAN, parseKeyRing(ringV1)), `tok_v1_${V1_MAC}_1111`);
    assert.equal(tokenFor(PAN, parseKeyRing(ringV2)), `tok_v2_${V2_MAC}_1111`);
    const hexV2 = JSON.stringify({ current: '2', keys: { 2: V2_KEY_HEX } });
    assert.equal(tokenFor(PAN, parseKeyRing(hexV2)), `tok_v2_${V2_MAC}_1111`);
  });

  it('refuses a JSON object that is not a usable ring, without echoing key material', () => {
    for (const bad of [
      '{}',
      JSON.stringify({ current: '3', keys: { 1: V2_KEY_BASE64 } }),
      JSON.stringify({ current: 1, keys: { 1: V2_KEY_BASE64 } }),
      JSON.stringify({ current: 'v1', keys: { v1: V2_KEY_BASE64 } }),
      JSON.stringify({ current: '1', keys: { 1: 'not a key!' } }),
      JSON.stringify({ current: '1', keys: { 1: '' } }),
      JSON.stringify({ current: '1', keys: [V2_KEY_BASE64] }),
    ]) {
      assert.throws(
        () => parseKeyRing(bad),
        (error) => error instanceof KeyRingError && !error.message.includes(V2_KEY_BASE64) && !error.message.includes('not a key'),
        bad,
      );
    }
    assert.throws(() => parseKeyRing(''), KeyRingError);
  });
});

describe('tokens across a key rotation', () => {
  it('new tokens use the current version; a token made under v1 still matches after v2 becomes current', () => {
    const before = parseKeyRing(LEGACY_KEY);
    const after = parseKeyRing(ringV2);
    const oldToken = tokenFor(PAN, before);
    const newToken = tokenFor(PAN, after);
    assert.equal(oldToken, `tok_v1_${V1_MAC}_1111`);
    assert.equal(newToken, `tok_v2_${V2_MAC}_1111`);
    assert.equal(tokenMatches(oldToken, PAN, after), true);
    assert.equal(tokenMatches(newToken, PAN, after), true);
    assert.equal(tokenMatches(newToken, '4111 1111-1111 1111', after), true, 'separators in the pan are ignored');
  });

  it('matches tokens of the first deployments (no version) as version 1', () => {
    assert.equal(tokenMatches(`tok_${V1_MAC}_1111`, PAN, parseKeyRing(ringV2)), true);
  });

  it('does not match a version the ring does not hold', () => {
    assert.equal(tokenMatches(`tok_v2_${V2_MAC}_1111`, PAN, parseKeyRing(ringV1)), false);
    assert.equal(tokenMatches(`tok_v3_${V2_MAC}_1111`, PAN, parseKeyRing(ringV2)), false);
  });

  it('does not match another card number, a relabelled version, altered digits or malformed input', () => {
    const ring = parseKeyRing(ringV2);
    assert.equal(tokenMatches(`tok_v2_${V2_MAC}_1111`, '5500000000000004', ring), false);
    assert.equal(tokenMatches(`tok_v1_${V2_MAC}_1111`, PAN, ring), false, 'v2 hmac labelled v1');
    assert.equal(tokenMatches(`tok_v2_${V2_MAC}_1112`, PAN, ring), false, 'last four altered');
    assert.equal(tokenMatches(`tok_v2_${V2_MAC.replace(/^0/, '1')}_1111`, PAN, ring), false, 'hmac altered');
    assert.equal(tokenMatches(`tok_v2_${V2_MAC}`, PAN, ring), false);
    assert.equal(tokenMatches(undefined, PAN, ring), false);
    assert.equal(tokenMatches(`tok_v2_${V2_MAC}_1111`, 'not a pan', ring), false);
  });
});
