/** The Firehose transformation handler: every record transformed, one count-only log line. */

import { transform } from './transform.mjs';

/**
 * @param {{log: (line: string) => void}} deps where the summary line goes (console.log in Lambda)
 * @returns {(event: {records?: {recordId: string, data: string}[]}) => Promise<{records: object[]}>}
 */
export function createHandler({ log }) {
  return async function handler(event) {
    const outcomes = (event.records ?? []).map(transform);
    const count = (predicate) => outcomes.filter(predicate).length;
    // Counts only: a record's content could hold a card number the scan does not recognise.
    log(
      JSON.stringify({
        message: 'firehose transformation',
        records: outcomes.length,
        ok: count((o) => !o.malformed),
        processingFailed: count((o) => o.malformed),
        maskedOk: count((o) => !o.malformed && o.masked),
        maskedProcessingFailed: count((o) => o.malformed && o.masked),
      }),
    );
    return { records: outcomes.map((o) => o.record) };
  };
}
