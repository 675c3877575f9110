/**
 * S3 event -> read the raw object -> tokenize -> write JSON lines to the processed bucket, encrypted
 * with the data key (SSE-KMS, the key named explicitly, as the processed bucket's policy demands).
 */

import { tokenizeLines } from './tokenize.mjs';

/**
 * @param {{
 *   getObject: (bucket: string, key: string) => Promise<string>,
 *   putObject: (request: {Bucket: string, Key: string, Body: string, ServerSideEncryption: string, SSEKMSKeyId: string}) => Promise<void>,
 *   keyRing: () => Promise<import('./keyring.mjs').KeyRing>,
 *   processedBucket: string,
 *   dataKeyArn: string,
 * }} deps
 * @returns {(event: {Records?: object[]}) => Promise<{results: {
 *   key: string, tokenized: number, rejected: {line: number, reason: string}[],
 *   sadFieldsStripped: number, droppedFields: number, keyVersion: string,
 * }[]}>} one result per uploaded object
 */
export function createProcessor({ getObject, putObject, keyRing, processedBucket, dataKeyArn }) {
  return async function handler(event) {
    const results = [];
    for (const record of event.Records ?? []) {
      const bucket = record.s3.bucket.name;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const ring = await keyRing();
      const { records, rejected, sadFieldsStripped, droppedFields } = tokenizeLines(await getObject(bucket, key), ring);
      const body = records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
      await putObject({
        Bucket: processedBucket,
        Key: `tokenized/${key}`,
        Body: body,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: dataKeyArn,
      });
      results.push({ key, tokenized: records.length, rejected, sadFieldsStripped, droppedFields, keyVersion: ring.current });
    }
    return { results };
  };
}
