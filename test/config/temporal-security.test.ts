import { ConfigError, loadConfig } from '../../src/config';
import { temporalConnectionOptions } from '../../src/temporal/connection';
import { createTestPki, type TestPki } from '../support/certs';

const ADDRESS = 'temporal.example.com:7233';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, 'dev');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('Temporal connection security settings', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki?.remove());

  it('with none set, the connection is plain text without credentials (the dev server)', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233' }, 'dev');
    expect(temporalConnectionOptions(c.temporal)).toEqual({ address: '127.0.0.1:7233' });
  });

  it('mTLS: the certificate pair and CA are read from paths; TLS is on', () => {
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: ADDRESS,
        TEMPORAL_TLS_CERT: pki.clientCert,
        TEMPORAL_TLS_KEY: pki.clientKey,
        TEMPORAL_TLS_CA: pki.caCert,
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      },
      'dev',
    );
    const options = temporalConnectionOptions(c.temporal);
    expect(options.tls?.clientCertPair?.crt.equals(pki.read(pki.clientCert))).toBe(true);
    expect(options.tls?.clientCertPair?.key.equals(pki.read(pki.clientKey))).toBe(true);
    expect(options.tls?.serverRootCACertificate?.equals(pki.read(pki.caCert))).toBe(true);
    expect(options.tls?.serverNameOverride).toBe('temporal.internal');
    expect(options.apiKey).toBeUndefined();
  });

  it('PEM text works in place of a path, also with its newlines written as \\n on one line', () => {
    const oneLine = (path: string) => pki.read(path).toString().trim().split('\n').join('\\n');
    const c = loadConfig(
      {
        TEMPORAL_ADDRESS: ADDRESS,
        TEMPORAL_TLS_CERT: oneLine(pki.clientCert),
        TEMPORAL_TLS_KEY: oneLine(pki.clientKey),
      },
      'dev',
    );
    expect(c.temporal.security.tls?.clientCertPair?.crt.toString()).toContain('-----BEGIN CERTIFICATE-----\n');
    expect(c.temporal.security.sources.TEMPORAL_TLS_CERT).toBe('PEM text');
  });

  it('an API key alone turns TLS on with the system roots (Temporal Cloud)', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'key-123' }, 'dev');
    expect(temporalConnectionOptions(c.temporal)).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'key-123',
    });
  });

  it.each([
    [
      'a key file that does not exist names the variable and the path',
      () => ({ TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: '/nonexistent/client.key' }),
      /^TEMPORAL_TLS_KEY: cannot read \/nonexistent\/client\.key \(no such file\)/,
    ],
    [
      'a certificate without its key',
      () => ({ TEMPORAL_TLS_CERT: pki.clientCert }),
      /^TEMPORAL_TLS_KEY: required with TEMPORAL_TLS_CERT/,
    ],
    [
      'a key without its certificate',
      () => ({ TEMPORAL_TLS_KEY: pki.clientKey }),
      /^TEMPORAL_TLS_CERT: required with TEMPORAL_TLS_KEY/,
    ],
    [
      'a key that belongs to another certificate',
      () => ({ TEMPORAL_TLS_CERT: pki.clientCert, TEMPORAL_TLS_KEY: pki.serverKey }),
      /^TEMPORAL_TLS_KEY: file .*server\.key is not the private key of the certificate in TEMPORAL_TLS_CERT/,
    ],
    [
      'a CA file that holds no certificate',
      () => ({ TEMPORAL_TLS_CA: pki.clientKey }),
      /^TEMPORAL_TLS_CA: file .*client\.key holds no PEM certificate/,
    ],
    [
      'a certificate file that is a key',
      () => ({ TEMPORAL_TLS_CERT: pki.clientKey, TEMPORAL_TLS_KEY: pki.clientKey }),
      /^TEMPORAL_TLS_CERT: file .* holds no PEM certificate/,
    ],
    [
      'a server name that is not a host name',
      () => ({ TEMPORAL_TLS_SERVER_NAME: 'https://x' }),
      /^TEMPORAL_TLS_SERVER_NAME: expected a host name/,
    ],
  ])('%s', (_name, env, expected) => {
    expect(problems({ TEMPORAL_ADDRESS: ADDRESS, ...env() })).toEqual([expect.stringMatching(expected)]);
  });

  it('security settings without TEMPORAL_ADDRESS are refused (there is nothing to secure)', () => {
    expect(problems({ TEMPORAL_API_KEY: 'key-123' })).toEqual([
      expect.stringMatching(/^TEMPORAL_ADDRESS: required with/),
    ]);
  });

  it('the API key never appears in a message', () => {
    const out = problems({ TEMPORAL_API_KEY: 'very-secret-api-key-value', PORT: 'x' });
    expect(out.join('\n')).not.toContain('very-secret-api-key-value');
  });
});
