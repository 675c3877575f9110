/**
 * Lambda entry point of the tokenization key rotation (runtime nodejs22.x), invoked by Secrets
 * Manager with {SecretId, ClientRequestToken, Step} for the tokenization key ring secret. It needs no
 * setting of its own (the secret comes in the event) and reaches Secrets Manager only; the Secrets
 * Manager client comes with the runtime.
 */

import * as sm from '@aws-sdk/client-secrets-manager';

import { createRotation } from './src/rotation.mjs';

const secrets = new sm.SecretsManagerClient({});

const rotate = createRotation({
  secrets,
  commands: sm,
  // Step names, secret ARN, version ids and key version numbers only: never a key.
  log: (fields) => console.log(JSON.stringify(fields)),
});

/** @param {{SecretId: string, ClientRequestToken: string, Step: string}} event */
export const handler = async (event) => rotate(event);
