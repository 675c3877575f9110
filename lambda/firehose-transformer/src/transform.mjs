/**
 * One Firehose record in, one record out.
 *
 * A record whose data is a JSON object comes back `Ok`, masked, as one newline-terminated JSON line
 * (the GZIP objects in S3 then hold one document per line). Anything else comes back
 * `ProcessingFailed`, which Firehose writes to the bucket's error prefix: the record is masked as text
 * first, because that prefix is stored like the data and must not hold a clear PAN either.
 */

import { maskCardNumbers, maskDeep, maskNumberLiterals } from './mask.mjs';

const encode = (text) => Buffer.from(text, 'utf8').toString('base64');

/**
 * @param {{recordId: string, data: string}} record Firehose record (data base64)
 * @returns {{record: {recordId: string, result: 'Ok' | 'ProcessingFailed', data: string}, malformed: boolean, masked: boolean}}
 */
export function transform(record) {
  const text = Buffer.from(record.data ?? '', 'base64').toString('utf8');
  const numbersMasked = maskNumberLiterals(text);
  let entry;
  try {
    entry = JSON.parse(numbersMasked);
  } catch {
    entry = undefined;
  }
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    const masked = maskCardNumbers(text);
    // Unchanged data goes back byte for byte (a decode/encode round trip could alter invalid UTF-8).
    const data = masked === text ? record.data : encode(masked);
    return { record: { recordId: record.recordId, result: 'ProcessingFailed', data }, malformed: true, masked: masked !== text };
  }
  const json = JSON.stringify(maskDeep(entry));
  return {
    record: { recordId: record.recordId, result: 'Ok', data: encode(`${json}\n`) },
    malformed: false,
    masked: numbersMasked !== text || json !== JSON.stringify(entry),
  };
}
