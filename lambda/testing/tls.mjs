/**
 * A throwaway public key infrastructure for TLS tests, made with the `openssl` CLI in a temp dir:
 *
 * - `ca`: a test certificate authority, the one the code under test is told to trust;
 * - `server`: a server certificate for 127.0.0.1 and localhost, signed by `ca`;
 * - `untrustedCa`: a second, self-signed authority nobody trusts;
 * - `untrustedServer`: a server certificate for the same names, signed by `untrustedCa`.
 *
 * EC P-256 keys (quick to make), valid for two days. remove() deletes every file.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function openssl(args, cwd) {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir, name) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  openssl([
    'req', '-x509', ...KEY, '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name} (test only)`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], dir);
  return { key, cert };
}

function makeServer(dir, name, ca) {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(
    ext,
    [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(['req', ...KEY, '-keyout', key, '-out', csr, '-subj', '/CN=localhost'], dir);
  openssl(['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', ext], dir);
  return { key, cert };
}

/**
 * @returns {{
 *   dir: string,
 *   ca: {key: string, cert: string},
 *   server: {key: string, cert: string},
 *   untrustedCa: {key: string, cert: string},
 *   untrustedServer: {key: string, cert: string},
 *   remove: () => void,
 * }} file paths (PEM)
 */
export function makeTestPki() {
  const dir = mkdtempSync(join(tmpdir(), 'test-pki-'));
  try {
    const ca = makeCa(dir, 'test-ca');
    const untrustedCa = makeCa(dir, 'untrusted-ca');
    return {
      dir,
      ca,
      server: makeServer(dir, 'server', ca),
      untrustedCa,
      untrustedServer: makeServer(dir, 'untrusted-server', untrustedCa),
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
