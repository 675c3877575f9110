/**
 * The rotation's database connections: node-postgres over TLS with the server certificate verified
 * (chain and host name), never downgraded to plain text or to an unverified certificate.
 *
 * No CA bundle is passed here on purpose. On Lambda's Node 20+ runtimes the RDS certificate
 * authorities are trusted only when NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem is set on the
 * function: Node reads that variable once at startup and adds the bundle to the default trust store,
 * which is what `rejectUnauthorized: true` checks against. The tests start this code the same way,
 * in a child process with NODE_EXTRA_CA_CERTS naming their own test CA.
 */

import pg from 'pg';

/**
 * @param {{host: string, port: number, username: string, password: string, dbname: string}} credentials
 *   the secret's value
 * @returns {Promise<pg.Client>} a connected client; the caller ends it
 */
export async function connect({ host, port, username, password, dbname }) {
  const client = new pg.Client({
    host,
    port,
    user: username,
    password,
    database: dbname,
    ssl: { rejectUnauthorized: true },
  });
  await client.connect();
  return client;
}
