/**
 * Lambda entry point of the PCI card tokenizer (runtime nodejs22.x), triggered by uploads to the raw
 * bucket. Settings: PROCESSED_BUCKET, DATA_KEY_ARN, TOKENIZATION_SECRET_ARN (the HMAC key ring lives
 * in Secrets Manager, never in code or environment; see src/keyring.mjs for its format).
 */

import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { createKeyRingSource } from './src/keysource.mjs';
import { createProcessor } from './src/processor.mjs';

const s3 = new S3Client({});
const secrets = new SecretsManagerClient({});

export const handler = createProcessor({
  getObject: async (Bucket, Key) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body.transformToString(),
  putObject: async (request) => {
    await s3.send(new PutObjectCommand(request));
  },
  keyRing: createKeyRingSource({
    fetchSecretString: async () =>
      (await secrets.send(new GetSecretValueCommand({ SecretId: process.env.TOKENIZATION_SECRET_ARN }))).SecretString,
  }),
  processedBucket: process.env.PROCESSED_BUCKET,
  dataKeyArn: process.env.DATA_KEY_ARN,
});
