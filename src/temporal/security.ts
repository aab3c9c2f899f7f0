import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';

/**
 * How the processes authenticate to Temporal, as Temporal's own samples configure it:
 * - Temporal Cloud API key: `TEMPORAL_API_KEY` (sent as a bearer token, over TLS);
 * - mTLS: `TEMPORAL_TLS_CERT` + `TEMPORAL_TLS_KEY` (the client certificate pair);
 * - `TEMPORAL_TLS_CA` for a server certificate signed by a private CA (otherwise the system's roots),
 *   `TEMPORAL_TLS_SERVER_NAME` when the name in the server's certificate is not the address's host.
 * Any of them turns TLS on. Each certificate or key is a file path or the PEM text itself (a
 * Kubernetes Secret mounted as files, or the PEM in the variable).
 */
export interface TemporalSecurity {
  /** TLS options in the SDK's shape (`Connection`, `NativeConnection`); undefined = plain text. */
  tls?: {
    serverNameOverride?: string;
    serverRootCACertificate?: Buffer;
    clientCertPair?: { crt: Buffer; key: Buffer };
  };
  apiKey?: string;
  /** Where each PEM came from ("file /etc/x/ca.pem" or "PEM text"), for messages that name them. */
  sources: Partial<Record<'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_CA', string>>;
}

export interface TemporalSecurityEnv {
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS_CERT?: string;
  TEMPORAL_TLS_KEY?: string;
  TEMPORAL_TLS_CA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
}

export interface Pem {
  text: Buffer;
  source: string;
}

/** A PEM given inline or as a path; a problem naming the variable (and the path) when unreadable. */
export function readPem(name: string, value: string, problems: string[]): Pem | undefined {
  if (value.includes('-----BEGIN')) {
    // Some platforms keep a multi-line value as one line with literal "\n".
    return { text: Buffer.from(value.replace(/\\n/g, '\n')), source: 'PEM text' };
  }
  try {
    return { text: readFileSync(value), source: `file ${value}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    problems.push(`${name}: cannot read ${value} (${why})`);
    return undefined;
  }
}

export function certificatesIn(name: string, pem: Pem, problems: string[]): X509Certificate[] {
  const blocks = pem.text.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      problems.push(`${name}: ${pem.source} holds a certificate block that is not a valid X.509 certificate`);
      return [];
    }
  }
  if (certs.length === 0)
    problems.push(`${name}: ${pem.source} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return certs;
}

/**
 * Reads and checks the Temporal security settings. Problems are pushed (each naming its variable);
 * the result is usable only when none were added.
 */
export function readTemporalSecurity(
  env: TemporalSecurityEnv,
  problems: string[],
  now: Date = new Date(),
): TemporalSecurity {
  const sources: TemporalSecurity['sources'] = {};
  const out: TemporalSecurity = { sources };
  const start = problems.length;
  const tls: NonNullable<TemporalSecurity['tls']> = {};
  let tlsOn = false;

  if (env.TEMPORAL_API_KEY) {
    out.apiKey = env.TEMPORAL_API_KEY.trim();
    tlsOn = true; // Temporal Cloud accepts API keys over TLS only.
  }
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    const missing = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    const given = env.TEMPORAL_TLS_CERT ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY';
    problems.push(`${missing}: required with ${given} (mTLS needs the client certificate and its private key)`);
  } else if (env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY) {
    tlsOn = true;
    const cert = readPem('TEMPORAL_TLS_CERT', env.TEMPORAL_TLS_CERT, problems);
    const key = readPem('TEMPORAL_TLS_KEY', env.TEMPORAL_TLS_KEY, problems);
    const certs = cert ? certificatesIn('TEMPORAL_TLS_CERT', cert, problems) : [];
    let privateKey: ReturnType<typeof createPrivateKey> | undefined;
    if (key) {
      try {
        privateKey = createPrivateKey(key.text);
      } catch {
        problems.push(`TEMPORAL_TLS_KEY: ${key.source} is not a PEM private key`);
      }
    }
    const leaf = certs[0];
    if (leaf && privateKey && !leaf.checkPrivateKey(privateKey)) {
      problems.push(`TEMPORAL_TLS_KEY: ${key!.source} is not the private key of the certificate in TEMPORAL_TLS_CERT`);
    }
    if (leaf && Date.parse(leaf.validTo) < now.getTime()) {
      problems.push(`TEMPORAL_TLS_CERT: ${cert!.source} expired on ${new Date(leaf.validTo).toISOString()}`);
    }
    if (cert && key) {
      tls.clientCertPair = { crt: cert.text, key: key.text };
      sources.TEMPORAL_TLS_CERT = cert.source;
      sources.TEMPORAL_TLS_KEY = key.source;
    }
  }
  if (env.TEMPORAL_TLS_CA) {
    tlsOn = true;
    const ca = readPem('TEMPORAL_TLS_CA', env.TEMPORAL_TLS_CA, problems);
    if (ca && certificatesIn('TEMPORAL_TLS_CA', ca, problems).length > 0) {
      tls.serverRootCACertificate = ca.text;
      sources.TEMPORAL_TLS_CA = ca.source;
    }
  }
  if (env.TEMPORAL_TLS_SERVER_NAME) {
    tlsOn = true;
    if (!/^[A-Za-z0-9.-]+$/.test(env.TEMPORAL_TLS_SERVER_NAME)) {
      problems.push(`TEMPORAL_TLS_SERVER_NAME: expected a host name such as temporal.internal.example.com`);
    } else {
      tls.serverNameOverride = env.TEMPORAL_TLS_SERVER_NAME;
    }
  }
  if (tlsOn && problems.length === start) out.tls = tls;
  return out;
}

/** True when a connection error came from TLS (certificate, handshake), not from reachability. */
export function isTlsError(err: unknown): boolean {
  const text = errorText(err);
  return /certificate|x509|tls|ssl|handshake|UnknownIssuer|BadSignature|NotValidForName|unknown ca|self[- ]signed|alert/i.test(
    text,
  );
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; e && i < 5; i++) {
    const named = e as { name?: unknown; message?: unknown; code?: unknown };
    parts.push(
      typeof named.message === 'string'
        ? `${typeof named.name === 'string' ? named.name : 'Error'}: ${named.message}${typeof named.code === 'string' ? ` (${named.code})` : ''}`
        : JSON.stringify(e),
    );
    e = typeof e === 'object' ? (e as { cause?: unknown }).cause : undefined;
  }
  return parts.join(' | ');
}

/**
 * A TLS failure at start, said in terms of the variable to change. `null` when the error is not
 * about TLS (an unreachable server is an outage, not a configuration problem).
 */
export function explainTemporalTlsError(err: unknown, address: string, security: TemporalSecurity): string | null {
  if (!security.tls && !security.apiKey) {
    // Plain text against a TLS frontend looks like a broken connection or a protocol error.
    return /protocol|http2|h2|frame|unexpected|reset/i.test(errorText(err)) && isTlsError(err)
      ? `TEMPORAL_ADDRESS: ${address} seems to require TLS; set TEMPORAL_TLS_CA (or TEMPORAL_API_KEY / TEMPORAL_TLS_CERT)`
      : null;
  }
  if (!isTlsError(err)) return null;
  const text = errorText(err);
  const detail = firstLine(text);
  if (/NotValidForName|hostname|altnames|not valid for|name mismatch|IP address mismatch/i.test(text)) {
    return `TEMPORAL_TLS_SERVER_NAME: the certificate of the Temporal server at ${address} is not valid for the name used (${detail}); set TEMPORAL_TLS_SERVER_NAME to a name in the certificate`;
  }
  // Alerts the server sends about our certificate (rustls names them in CamelCase, OpenSSL in words).
  if (/alert.*(certificate.?required|handshake.?failure)/i.test(text) && !security.tls?.clientCertPair) {
    return `TEMPORAL_TLS_CERT: the Temporal server at ${address} requires a client certificate (mTLS); set TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY (${detail})`;
  }
  if (
    /alert.*(certificate.?required|bad.?certificate|unknown.?ca|certificate.?unknown|handshake.?failure|decrypt.?error)/i.test(
      text,
    )
  ) {
    return `TEMPORAL_TLS_CERT: the Temporal server at ${address} refused the client certificate (${security.sources.TEMPORAL_TLS_CERT}): ${detail}`;
  }
  if (/certificate|UnknownIssuer|BadSignature|self[- ]signed|unable to (get|verify)|x509/i.test(text)) {
    return security.sources.TEMPORAL_TLS_CA
      ? `TEMPORAL_TLS_CA: the certificate of the Temporal server at ${address} is not signed by the CA in ${security.sources.TEMPORAL_TLS_CA} (${detail})`
      : `TEMPORAL_TLS_CA: the certificate of the Temporal server at ${address} is not trusted by the system's roots; set TEMPORAL_TLS_CA to the CA that signed it (${detail})`;
  }
  return `TEMPORAL_TLS_CA: TLS with the Temporal server at ${address} failed (${detail})`;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.slice(0, 300);
}

/**
 * A failure on first contact said in terms of the variable to change, or null (not about TLS).
 * When the SDK's error is vague over TLS (a closed connection), a direct handshake asks the
 * frontend what is wrong.
 */
export async function explainTemporalFailure(
  err: unknown,
  address: string,
  security: TemporalSecurity,
): Promise<string | null> {
  const problem = explainTemporalTlsError(err, address, security);
  if (problem || !security.tls) return problem;
  const seen = await diagnoseTls(address, security);
  return seen ? explainTemporalTlsError(seen, address, security) : null;
}

/**
 * A direct TLS handshake with the frontend, for when the SDK's error is vague. With TLS 1.3 a
 * server refuses a client certificate after the client thinks the handshake is done, and the SDK
 * may then report only a closed connection; OpenSSL here reports the server's alert itself
 * (`…ALERT_CERTIFICATE_REQUIRED`, `…ALERT_BAD_CERTIFICATE`) or the verification failure. Resolves
 * to the TLS error seen, or null when the handshake succeeds and the server keeps the connection.
 */
export async function diagnoseTls(address: string, security: TemporalSecurity, waitMs = 1_000): Promise<Error | null> {
  const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(address);
  if (!m) return null;
  const [, host, port] = m as unknown as [string, string, string];
  const tls = security.tls ?? {};
  const servername = tls.serverNameOverride ?? (isIP(host) ? undefined : host);
  return new Promise((resolve) => {
    let settled = false;
    const done = (value: Error | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    const socket = connect({
      host,
      port: Number(port),
      ALPNProtocols: ['h2'],
      ...(servername ? { servername } : {}),
      ...(tls.serverRootCACertificate ? { ca: tls.serverRootCACertificate } : {}),
      ...(tls.clientCertPair ? { cert: tls.clientCertPair.crt, key: tls.clientCertPair.key } : {}),
      ...(servername && servername !== host ? { checkServerIdentity: checkIdentityAs(servername) } : {}),
    });
    socket.setTimeout(5_000, () => done(null));
    socket.on('error', (err) => done(err));
    socket.on('secureConnect', () => {
      socket.on('data', () => undefined);
      socket.on('close', () =>
        done(new Error('the server closed the connection after the TLS handshake (alert certificate required?)')),
      );
      setTimeout(() => done(null), waitMs);
    });
  });
}

function checkIdentityAs(name: string) {
  return (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert);
}
