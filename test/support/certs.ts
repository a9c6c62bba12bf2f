// Throw-away PKI for the test API server: a CA, a server certificate for 127.0.0.1/localhost and
// client certificates, made with the openssl CLI once per directory.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

function openssl(args: string[], cwd: string) {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

let shared: Pki | undefined;

/** A CA and a server certificate, made once per process. */
export function testPki(): Pki {
  if (shared) return shared;
  const dir = mkdtempSync(join(tmpdir(), 'ark-hooks-pki-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=ark-hooks-test-ca',
    ],
    dir,
  );
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  shared = {
    dir,
    caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    caKey: readFileSync(join(dir, 'ca.key'), 'utf8'),
    serverCert: readFileSync(join(dir, 'server.crt'), 'utf8'),
    serverKey: readFileSync(join(dir, 'server.key'), 'utf8'),
  };
  return shared;
}

/** A client certificate signed by the test CA, for CN=user and O=groups. Returns file paths. */
export function clientCertificate(pki: Pki, user: string, groups: string[] = []): { cert: string; key: string } {
  const dir = join(pki.dir, 'clients', user);
  const cert = join(dir, 'client.crt');
  const key = join(dir, 'client.key');
  if (existsSync(cert)) return { cert, key };
  mkdirSync(dir, { recursive: true });
  const subj = `/CN=${user}${groups.map((g) => `/O=${g}`).join('')}`;
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl(
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'client.key',
      '-out',
      'client.csr',
      '-subj',
      subj,
    ],
    dir,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      join(pki.dir, 'ca.crt'),
      '-CAkey',
      join(pki.dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      'client.crt',
      '-days',
      '2',
      '-extfile',
      'client.ext',
    ],
    dir,
  );
  return { cert, key };
}
