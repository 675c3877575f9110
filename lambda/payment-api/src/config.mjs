/** The API's settings from the environment, read strictly: a setting that does not parse is absent. */

const CURRENCY = /^[A-Z]{3}$/;

/**
 * The currencies the API takes, from a comma-separated list such as "EUR,GBP,USD" (spaces around
 * codes ignored). An absent or empty list, or one with an entry that is not a three-letter upper-case
 * code, gives undefined: the API then takes no payment at all, rather than guess (a typo must not
 * open the API to every currency, nor silently close it to one).
 *
 * @param {string | undefined} text e.g. process.env.CURRENCY_ALLOWLIST
 * @returns {ReadonlySet<string> | undefined}
 */
export function parseCurrencyAllowlist(text) {
  if (typeof text !== 'string') return undefined;
  const codes = text.split(',').map((code) => code.trim());
  if (codes.length === 0 || codes.some((code) => !CURRENCY.test(code))) return undefined;
  return new Set(codes);
}
