/**
 * The project's emulator (moto server) on a free loopback port, for handler tests that talk to AWS
 * APIs through the real AWS SDK v3 clients. It runs from the project's Python environment
 * (`.venv`, made by bin/_setup.sh), or from EMULATOR_PYTHON.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from './ports.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startEmulator() {
  const python = process.env.EMULATOR_PYTHON ?? join(ROOT, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`no Python with moto at ${python}: run bin/_setup.sh (or set EMULATOR_PYTHON)`);
  }
  const port = await freePort();
  const child = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30000;
  for (;;) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`emulator did not start on ${endpoint}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    },
    stop: () => child.kill(),
  };
}
