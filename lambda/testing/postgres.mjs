/**
 * A throwaway PostgreSQL server on loopback for the ledger tests (initdb + pg_ctl, no container).
 *
 * As root (CI containers), the server runs as the `postgres` system user, since PostgreSQL refuses
 * to run as root.
 */

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from './ports.mjs';

function systemUser(name) {
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Start a server; returns its connection settings and a stop() that removes every trace. */
export async function startPostgres({ passwordAuth = false } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'ledger-pg-'));
  const dataDir = join(root, 'data');
  const asRoot = process.getuid?.() === 0;
  const run = (command, args) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: 'pipe' });
  };
  if (asRoot) {
    const { uid, gid } = systemUser('postgres');
    chownSync(root, uid, gid);
  }
  const port = await freePort();
  const superuserPassword = passwordAuth ? randomBytes(18).toString('base64url') : undefined;
  const auth = ['--auth=trust'];
  if (passwordAuth) {
    const pwfile = join(root, 'pwfile');
    writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o644 });
    auth.splice(0, 1, '--auth=scram-sha-256', `--pwfile=${pwfile}`);
  }
  run('initdb', ['-D', dataDir, '-U', 'ledger', ...auth, '-E', 'UTF8', '--no-instructions']);
  run('pg_ctl', [
    '-D', dataDir, '-w', '-l', join(root, 'server.log'), 'start',
    '-o', `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off`,
  ]);
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
