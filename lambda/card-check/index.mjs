/**
 * Card number checks shared by the card tokenizer (which rejects a line whose pan fails them), the
 * Firehose transformer (which masks only the digit runs that pass them) and the payment API (which
 * refuses any request carrying one).
 */

export { luhnValid } from './luhn.mjs';
export { containsCardNumber, maskCardNumbers } from './scan.mjs';
