/**
 * A throwaway PostgreSQL server on loopback for the ledger and rotation tests (initdb + pg_ctl, no
 * container), with trust or password authentication, and optionally TLS only.
 *
 * As root (CI containers), the server runs as the `postgres` system user, since PostgreSQL refuses
 * to run as root.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './ports.mjs';

function systemUser(name) {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * Start a server; returns its connection settings and a stop() that removes every trace.
 *
 * @param {{passwordAuth?: boolean, tls?: {cert: string, key: string}}} [options]
 *   passwordAuth: scram-sha-256 for every connection (superuser password returned), else trust;
 *   tls: PEM files of the server certificate (with any chain) and key: the server then has ssl=on
 *   and accepts TCP connections over TLS only (pg_hba `hostssl`, no `host` line), so a login over
 *   TCP proves the connection was encrypted
 */
export async function startPostgres({ passwordAuth = false, tls } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (command, args) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: 'pipe' });
  };
  const owner = asRoot ? systemUser('postgres') : undefined;
  if (owner) chownSync(root, owner.uid, owner.gid);
  const port = await freePort();
  const superuserPassword = passwordAuth ? randomBytes(18).toString('base64url') : undefined;
  const auth = ['--auth=trust'];
  if (passwordAuth) {
    const pwfile = join(root, 'pwfile');
    writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o644 });
    auth.splice(0, 1, '--auth=scram-sha-256', `--pwfile=${pwfile}`);
  }
  run('initdb', ['-D', dataDir, '-U', 'ledger', ...auth, '-E', 'UTF8', '--no-instructions']);
  const options = [`-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off`];
  if (tls) {
    // The server reads its key only if the key belongs to it and nobody else can read it.
    const cert = join(root, 'server.crt');
    const key = join(root, 'server.key');
    copyFileSync(tls.cert, cert);
    copyFileSync(tls.key, key);
    if (owner) for (const file of [cert, key]) chownSync(file, owner.uid, owner.gid);
    chmodSync(key, 0o600);
    const method = passwordAuth ? 'scram-sha-256' : 'trust';
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [`local all all ${method}`, `hostssl all all 127.0.0.1/32 ${method}`, `hostssl all all ::1/128 ${method}`, ''].join('\n'),
    );
    options.push(`-c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key}`);
  }
  run('pg_ctl', ['-D', dataDir, '-w', '-l', join(root, 'server.log'), 'start', '-o', options.join(' ')]);
  return {
    connection: { host: '127.0.0.1', port, user: 'ledger', database: 'postgres' },
    superuserPassword,
    stop() {
      try {
        run('pg_ctl', ['-D', dataDir, '-w', '-m', 'immediate', 'stop']);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
