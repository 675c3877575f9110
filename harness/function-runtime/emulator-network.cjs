'use strict';
/**
 * Loaded into every function worker of the harness's local MiniStack (NODE_OPTIONS=--require), never
 * part of a function package and never on AWS. It gives a function on the emulator what the AWS
 * network gives it there, and nothing more:
 *
 * - trust in the emulator's test CA (INFRA_FUNCTION_TEST_CA, a PEM file) beside Node's own
 *   authorities, as the Amazon authorities are trusted on AWS; verification stays on;
 * - the address of names only AWS's DNS resolves (the RDS Proxy endpoint): a TCP connection to a
 *   `host:port` listed in INFRA_FUNCTION_ROUTES (JSON `{"routes": {"host:port": "127.0.0.1:port"}}`,
 *   re-read on every connection) goes to the loopback address given. The TLS server name stays the
 *   host the function asked for, so the certificate is checked against the real endpoint name;
 * - the transport of its AWS API calls (with INFRA_FUNCTION_GATEWAY_TLS=1, set while the capability
 *   list records behaviour:secure_transport): on AWS the SDK reaches every service endpoint over TLS,
 *   here it calls the emulator's gateway (AWS_ENDPOINT_URL, plain HTTP on loopback), so each request to
 *   that gateway says `X-Forwarded-Proto: https`, which MiniStack takes as the request's transport
 *   (as behind a TLS-terminating proxy: ministack/app.py pins it for `aws:SecureTransport`). Without
 *   it every bucket policy's DenyInsecureTransport refuses the function what AWS would allow it.
 *   The header is not signed, so the request's SigV4 signature is unchanged.
 */
const fs = require('node:fs');
const net = require('node:net');
const tls = require('node:tls');

const caFile = process.env.INFRA_FUNCTION_TEST_CA;
if (caFile && fs.existsSync(caFile)) {
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), fs.readFileSync(caFile, 'utf8')]);
}

const routesFile = process.env.INFRA_FUNCTION_ROUTES;

function routeOf(host, port) {
  if (!routesFile || !host || port === undefined) return undefined;
  let routes;
  try {
    routes = JSON.parse(fs.readFileSync(routesFile, 'utf8')).routes || {};
  } catch {
    return undefined; // no routes written yet
  }
  const to = routes[`${host}:${port}`];
  if (!to) return undefined;
  const colon = to.lastIndexOf(':');
  return { host: to.slice(0, colon), port: Number(to.slice(colon + 1)) };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connectRouted(...args) {
  const [first, second] = args;
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    const to = routeOf(first.host, first.port);
    if (to) args[0] = { ...first, host: to.host, port: to.port };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const to = routeOf(typeof second === 'string' ? second : 'localhost', Number(first));
    if (to) {
      args[0] = to.port;
      args[1] = to.host;
    }
  }
  return connect.apply(this, args);
};

function gatewayOf(endpoint) {
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' ? `${url.hostname}:${url.port || '80'}` : undefined;
  } catch {
    return undefined; // no endpoint (not a MiniStack worker): nothing to mark
  }
}

const gateway = process.env.INFRA_FUNCTION_GATEWAY_TLS === '1' ? gatewayOf(process.env.AWS_ENDPOINT_URL) : undefined;
if (gateway) {
  const http = require('node:http');
  const request = http.request;
  http.request = function requestOverTls(...args) {
    const [first] = args;
    if (first !== null && typeof first === 'object' && !(first instanceof URL)) {
      const to = `${first.hostname ?? first.host}:${first.port ?? '80'}`;
      if (to === gateway) args[0] = { ...first, headers: { ...first.headers, 'x-forwarded-proto': 'https' } };
    }
    return request.apply(this, args);
  };
  require('node:module').syncBuiltinESMExports(); // ES modules importing { request } see it too
}
