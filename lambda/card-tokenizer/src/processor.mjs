/**
 * S3 event -> read the raw object -> tokenize -> write JSON lines to the processed bucket, encrypted
 * with the data key (SSE-KMS, the key named explicitly, as the processed bucket's policy demands).
 */

import { tokenizeLines } from './tokenize.mjs';

/**
 * @param {{
 *   getObject: (bucket: string, key: string) => Promise<string>,
 *   putObject: (request: {Bucket: string, Key: string, Body: string, ServerSideEncryption: string, SSEKMSKeyId: string}) => Promise<void>,
 *   tokenizationKey: () => Promise<Buffer | string>,
 *   processedBucket: string,
 *   dataKeyArn: string,
 * }} deps
 */
export function createProcessor({ getObject, putObject, tokenizationKey, processedBucket, dataKeyArn }) {
  return async function handler(event) {
    const results = [];
    for (const record of event.Records ?? []) {
      const bucket = record.s3.bucket.name;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const { records, rejected } = tokenizeLines(await getObject(bucket, key), await tokenizationKey());
      const body = records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
      await putObject({
        Bucket: processedBucket,
        Key: `tokenized/${key}`,
        Body: body,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: dataKeyArn,
      });
      results.push({ key, tokenized: records.length, rejected });
    }
    return { results };
  };
}
