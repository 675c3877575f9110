import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { luhnValid } from '../index.mjs';

const valid = [
  ['Visa, 16 digits', '4111111111111111'],
  ['Mastercard, 16 digits', '5500005555555559'],
  ['Mastercard, 16 digits, mostly zeros', '5500000000000004'],
  ['American Express, 15 digits', '378282246310005'],
  ['Visa, 13 digits', '4222222222222'],
  ['19 digits', '6221260000000000001'],
];

describe('luhnValid', () => {
  for (const [label, digits] of valid) {
    it(`accepts ${digits} (${label})`, () => {
      assert.equal(luhnValid(digits), true);
    });
  }

  it('rejects a number with its check digit changed', () => {
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(luhnValid('5500005555555558'), false);
    assert.equal(luhnValid('378282246310006'), false);
    assert.equal(luhnValid('4222222222223'), false);
    assert.equal(luhnValid('6221260000000000002'), false);
  });

  it('rejects every one-digit change of a valid number, at any position', () => {
    for (const [, digits] of valid) {
      for (let i = 0; i < digits.length; i += 1) {
        for (const replacement of '0123456789') {
          if (replacement === digits[i]) continue;
          const changed = `${digits.slice(0, i)}${replacement}${digits.slice(i + 1)}`;
          assert.equal(luhnValid(changed), false, changed);
        }
      }
    }
  });

  it('checks only the checksum: the empty string passes, so callers check the length', () => {
    assert.equal(luhnValid(''), true);
  });
});
