/**
 * Lambda entry point of the Secrets Manager rotation function (runtime nodejs22.x). The function
 * runs in the workload subnets and reaches Secrets Manager through its VPC endpoint; node-postgres
 * is bundled, the Secrets Manager client comes with the runtime.
 *
 * Database connections use TLS with certificate verification (src/connect.mjs); the function's
 * environment must set NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem for the RDS authorities to be
 * trusted.
 */

import * as sm from '@aws-sdk/client-secrets-manager';

import { connect } from './src/connect.mjs';
import { createRotation } from './src/rotation.mjs';

const secrets = new sm.SecretsManagerClient({});

export const handler = createRotation({ secrets, commands: sm, connect });
