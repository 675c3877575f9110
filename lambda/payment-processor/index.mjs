/**
 * Lambda entry point of the payment processor (runtime nodejs22.x).
 *
 * Configuration comes from the environment: CONNECTION_PARAMETER (SSM SecureString holding the proxy
 * connection string, no password: the proxy requires IAM authentication), EVENT_BUS_NAME and
 * METRIC_NAMESPACE. The AWS SDK v3 clients come with the runtime.
 */

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { Signer } from '@aws-sdk/rds-signer';
import pg from 'pg';

import { createLedger } from './src/ledger.mjs';
import { createMetrics } from './src/metrics.mjs';
import { createProcessor } from './src/processor.mjs';

const region = process.env.AWS_REGION;
const events = new EventBridgeClient({ region });
const ssm = new SSMClient({ region });

let processor;

async function connectionSettings() {
  const { Parameter } = await ssm.send(
    new GetParameterCommand({ Name: process.env.CONNECTION_PARAMETER, WithDecryption: true }),
  );
  const url = new URL(Parameter.Value);
  const host = url.hostname;
  const port = Number(url.port || 5432);
  const user = decodeURIComponent(url.username);
  const signer = new Signer({ hostname: host, port, username: user, region });
  return {
    host,
    port,
    user,
    database: url.pathname.slice(1),
    password: () => signer.getAuthToken(),
    ssl: { rejectUnauthorized: true },
    max: 2,
  };
}

async function build() {
  const pool = new pg.Pool(await connectionSettings());
  const publish = async (entries) => {
    const result = await events.send(
      new PutEventsCommand({ Entries: entries.map((e) => ({ ...e, EventBusName: process.env.EVENT_BUS_NAME })) }),
    );
    if (result.FailedEntryCount) throw new Error(`${result.FailedEntryCount} event(s) not accepted by the bus`);
  };
  const log = (message, fields) => console.log(JSON.stringify({ message, ...fields }));
  return createProcessor({
    ledger: createLedger(pool),
    publish,
    // Written straight to stdout: the runtime's log formatting would hide the metric document.
    metrics: createMetrics(process.env.METRIC_NAMESPACE, (line) => process.stdout.write(`${line}\n`)),
    log,
  });
}

export async function handler(event) {
  processor ??= await build();
  return processor(event);
}
