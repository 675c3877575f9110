/**
 * Firehose transformation Lambda (runtime nodejs22.x).
 *
 * Each record's data is one JSON transaction log entry. Card numbers are masked everywhere in it; a
 * record that is not a JSON object is masked as text and comes back as `ProcessingFailed` (Firehose
 * writes it, masked, to the error prefix of the bucket instead of the data). One summary log line
 * per invocation gives the counts, never record content.
 */

import { createHandler } from './src/handler.mjs';
import { transform } from './src/transform.mjs';

/**
 * @param {{recordId: string, data: string}} record
 * @returns {{recordId: string, result: 'Ok' | 'ProcessingFailed', data: string}}
 */
export function transformRecord(record) {
  return transform(record).record;
}

export const handler = createHandler({ log: (line) => console.log(line) });
