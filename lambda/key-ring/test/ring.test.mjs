import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { KeyRingError, decodeKey, parseRing, readCurrentRing } from '../index.mjs';

describe('the key ring format', () => {
  it('reads a plain pre-versioning key as version 1, as the hex of its UTF-8 bytes', () => {
    const ring = readCurrentRing('a plain key');
    assert.deepEqual(ring, { current: '1', keys: { 1: '6120706c61696e206b6579' } });
    assert.equal(decodeKey(ring.keys['1']).toString('utf8'), 'a plain key');
  });

  it('decodes hex as hex and anything else as base64', () => {
    assert.deepEqual([...decodeKey('00ff')], [0, 255]);
    assert.deepEqual([...decodeKey('AP8=')], [0, 255]);
    assert.throws(() => decodeKey('not a key!'), KeyRingError);
  });

  it('refuses a JSON object that is not a usable ring, strictly or not', () => {
    for (const bad of ['{"current": "2", "keys": {"1": "00ff"}}', '{"current": "0", "keys": {"0": "00ff"}}', '{"keys": {}}']) {
      assert.throws(() => parseRing(bad), KeyRingError, bad);
      assert.throws(() => readCurrentRing(bad), KeyRingError, bad);
    }
    assert.throws(() => readCurrentRing(''), /empty/);
  });
});
