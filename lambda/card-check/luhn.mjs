/** The Luhn checksum of a card number. */

/**
 * The Luhn (mod 10) checksum of a primary account number: from the rightmost digit, every second
 * digit is doubled (9 subtracted when the result exceeds 9) and the total must be a multiple of 10.
 *
 * Only the checksum is checked: the caller strips separators and checks that `digits` holds 13 to 19
 * ASCII digits and nothing else. Any other character gives a meaningless result, and the empty string
 * passes (its sum is 0).
 *
 * @param {string} digits the card number, digits only
 * @returns {boolean} whether the checksum holds
 */
export function luhnValid(digits) {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}
