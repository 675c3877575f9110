/**
 * Lambda entry point of the Secrets Manager rotation function (runtime nodejs22.x). The function
 * runs in the workload subnets and reaches Secrets Manager through its VPC endpoint; node-postgres
 * is bundled, the Secrets Manager client comes with the runtime.
 */

import * as sm from '@aws-sdk/client-secrets-manager';
import pg from 'pg';

import { createRotation } from './src/rotation.mjs';

const secrets = new sm.SecretsManagerClient({});

export const handler = createRotation({
  secrets,
  commands: sm,
  connect: async ({ host, port, username, password, dbname }) => {
    const client = new pg.Client({ host, port, user: username, password, database: dbname, ssl: { rejectUnauthorized: true } });
    await client.connect();
    return client;
  },
});
