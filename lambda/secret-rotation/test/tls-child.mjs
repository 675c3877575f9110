/**
 * Run in a child process by rotation-tls.test.mjs, with the environment a Lambda would have:
 * NODE_EXTRA_CA_CERTS (read by Node at startup only, hence the separate process) and the Secrets
 * Manager endpoint of the emulator. Takes one JSON argument and prints one JSON line:
 *
 *   {"action": "rotate", "secretId": ..., "token": ...}  -> the function's own handler (index.mjs),
 *       the four steps in order, as Secrets Manager calls them
 *   {"action": "connect", "credentials": {...}}          -> src/connect.mjs, then whether the
 *       session is encrypted (pg_stat_ssl)
 *
 * Output: {"ok": true, ...} or {"ok": false, "step": ..., "error": {"code", "message"}}.
 */

const request = JSON.parse(process.argv[2]);
const print = (result) => process.stdout.write(`${JSON.stringify(result)}\n`);
const failure = (error, step) => ({ ok: false, step, error: { code: error?.code, message: String(error?.message ?? error) } });

if (request.action === 'rotate') {
  const { handler } = await import('../index.mjs');
  const results = [];
  let step;
  try {
    for (step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
      results.push(await handler({ SecretId: request.secretId, ClientRequestToken: request.token, Step: step }));
    }
    print({ ok: true, results });
  } catch (error) {
    print(failure(error, step));
  }
} else if (request.action === 'connect') {
  const { connect } = await import('../src/connect.mjs');
  try {
    const client = await connect(request.credentials);
    try {
      const { rows } = await client.query('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      print({ ok: true, ssl: rows[0].ssl, tlsVersion: rows[0].version });
    } finally {
      await client.end();
    }
  } catch (error) {
    print(failure(error));
  }
} else {
  print({ ok: false, error: { message: `unknown action ${request.action}` } });
}
