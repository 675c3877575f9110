/**
 * Firehose transformation Lambda (runtime nodejs22.x).
 *
 * Each record's data is one JSON transaction log entry. Card numbers are masked; a record that is
 * not a JSON object comes back as `ProcessingFailed` (Firehose writes it to the error prefix of the
 * bucket instead of the data). Output records are newline-terminated so the GZIP objects in S3 hold
 * one JSON document per line.
 */

import { maskDeep } from './src/mask.mjs';

/** @param {{recordId: string, data: string}} record */
export function transformRecord(record) {
  let entry;
  try {
    entry = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
  } catch {
    return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
  }
  const line = `${JSON.stringify(maskDeep(entry))}\n`;
  return { recordId: record.recordId, result: 'Ok', data: Buffer.from(line, 'utf8').toString('base64') };
}

/** @param {{records: {recordId: string, data: string}[]}} event */
export async function handler(event) {
  return { records: (event.records ?? []).map(transformRecord) };
}
