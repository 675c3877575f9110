import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyRingError, addVersion, checkPendingRing, parseRing, readCurrentRing } from '../src/keyring.mjs';

const LEGACY = 'legacy-tokenization-key';
const LEGACY_HEX = '6c65676163792d746f6b656e697a6174696f6e2d6b6579'; // xxd -p of the UTF-8 bytes
const SEVENS = Buffer.alloc(32, 7);
const SEVENS_BASE64 = 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=';
const NINES_BASE64 = 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=';

describe('key ring (rotation side)', () => {
  it('reads a plain pre-versioning secret as version 1, its UTF-8 bytes written as hex', () => {
    assert.deepEqual(readCurrentRing(LEGACY), { current: '1', keys: { 1: LEGACY_HEX } });
  });

  it('adds the next integer version as base64, makes it current and keeps every older version as written', () => {
    assert.deepEqual(addVersion({ current: '1', keys: { 1: LEGACY_HEX } }, SEVENS), {
      current: '2',
      keys: { 1: LEGACY_HEX, 2: SEVENS_BASE64 },
    });
    assert.deepEqual(addVersion({ current: '5', keys: { 2: NINES_BASE64, 5: LEGACY_HEX } }, SEVENS), {
      current: '6',
      keys: { 2: NINES_BASE64, 5: LEGACY_HEX, 6: SEVENS_BASE64 },
    });
  });

  it('refuses rings it cannot use', () => {
    for (const bad of ['plain', '{}', '{"current":"2","keys":{"1":"00ff"}}', '{"current":"1","keys":{"1":"$$"}}', '{"current":"x","keys":{"x":"00ff"}}']) {
      assert.throws(() => parseRing(bad), KeyRingError, bad);
    }
    assert.throws(() => readCurrentRing(''), KeyRingError);
    assert.throws(() => readCurrentRing('{"current":"2","keys":{}}'), KeyRingError);
  });

  describe('pending ring check (testSecret)', () => {
    const current = JSON.stringify({ current: '1', keys: { 1: LEGACY_HEX } });
    const good = JSON.stringify({ current: '2', keys: { 1: LEGACY_HEX, 2: SEVENS_BASE64 } });

    it('accepts a ring with a new 32-byte current key and every old version', () => {
      checkPendingRing(good, current);
      checkPendingRing(good, LEGACY); // the current secret still plain: same bytes as version 1
    });

    it('refuses a pending ring that lost or changed an old version', () => {
      assert.throws(() => checkPendingRing(JSON.stringify({ current: '2', keys: { 2: SEVENS_BASE64 } }), current), /lost or changed version 1/);
      assert.throws(
        () => checkPendingRing(JSON.stringify({ current: '2', keys: { 1: NINES_BASE64, 2: SEVENS_BASE64 } }), current),
        /lost or changed version 1/,
      );
    });

    it('refuses a pending ring whose current key is missing, short, or not new', () => {
      assert.throws(() => checkPendingRing(JSON.stringify({ current: '3', keys: { 1: LEGACY_HEX, 2: SEVENS_BASE64 } }), current), KeyRingError);
      assert.throws(() => checkPendingRing(JSON.stringify({ current: '2', keys: { 1: LEGACY_HEX, 2: '00ff' } }), current), /not 32 bytes/);
      assert.throws(() => checkPendingRing(current, current), /not new/);
      assert.throws(() => checkPendingRing(LEGACY, current), /not a JSON key ring/);
    });
  });
});
