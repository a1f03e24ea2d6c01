import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  readonly cert: string;
  readonly key: string;
  /** The certificate's file, for clients that trust it as its own CA. */
  readonly certPath: string;
}

/**
 * A self-signed certificate for 127.0.0.1 (openssl, P-256, one day), written to `directory` (a
 * fresh temporary one by default): to serve, and to trust as its own CA.
 */
export function selfSignedCertificate(
  name: string,
  directory = mkdtempSync(join(tmpdir(), 'gatehouse-tls-')),
): SelfSignedCertificate {
  const certPath = join(directory, `${name}.crt`);
  const keyPath = join(directory, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}
