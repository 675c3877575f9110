import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { containsCardNumber, maskCardNumbers } from '../index.mjs';

// Luhn-valid test numbers of each length the scan must find, written out with their masked form.
const planted = [
  ['13 digits (Visa)', '4222222222222', '*********2222'],
  ['14 digits (Diners)', '30569309025904', '**********5904'],
  ['15 digits (Amex)', '378282246310005', '***********0005'],
  ['16 digits (Visa)', '4111111111111111', '************1111'],
  ['16 digits (Discover)', '6011000990139424', '************9424'],
  ['19 digits', '6221260000000000001', '***************0001'],
];

describe('maskCardNumbers', () => {
  for (const [label, pan, masked] of planted) {
    it(`masks a ${label} number inside text, keeping the last four digits`, () => {
      assert.equal(maskCardNumbers(`paid with ${pan}.`), `paid with ${masked}.`);
      assert.equal(containsCardNumber(`paid with ${pan}.`), true);
    });
  }

  it('masks numbers split by spaces, dashes or both, and drops the separators inside the number', () => {
    assert.equal(maskCardNumbers('4111 1111 1111 1111'), '************1111');
    assert.equal(maskCardNumbers('4111-1111-1111-1111'), '************1111');
    assert.equal(maskCardNumbers('card 4111 1111-1111 1111 end'), 'card ************1111 end');
    assert.equal(maskCardNumbers('amex 3782 822463 10005'), 'amex ***********0005');
  });

  it('masks a card number glued to letters or punctuation', () => {
    assert.equal(maskCardNumbers('pan=4111111111111111&x=1'), 'pan=************1111&x=1');
    assert.equal(maskCardNumbers('"4111111111111111"'), '"************1111"');
  });

  it('finds a card number inside a longer separated run that fails Luhn as a whole', () => {
    assert.equal(maskCardNumbers('ref 12 4111 1111 1111 1111'), 'ref 12 ************1111');
    assert.equal(maskCardNumbers('4111111111111111 20'), '************1111 20');
    assert.equal(maskCardNumbers('2024-4111111111111111-99'), '2024-************1111-99');
    assert.equal(maskCardNumbers('4111111111111111 6011000990139424'), '************1111 ************9424');
  });

  it('leaves digit runs that are not card numbers alone', () => {
    for (const text of [
      'order 4111111111111112', // 16 digits, Luhn fails (and holds a Luhn-valid 13-digit window)
      'ts 1700000000000', // 13 digits, Luhn fails
      'amount 123456789012', // 12 digits: too short
      'id 41111111111111111111', // 20 digits in one group: too long
      '1 2 3 4 5 6 7',
      'no digits at all',
    ]) {
      assert.equal(maskCardNumbers(text), text);
      assert.equal(containsCardNumber(text), false, text);
    }
  });
});
