import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng } from '../../tools/reliability/lib/emit';
import { LogScanner, productLogFiles } from '../../tools/reliability/lib/logscan';
import { DEFAULTS, parseOptions } from '../../tools/reliability/lib/options';
import { normalise, parsePrintedRoutes } from '../../tools/reliability/lib/routes';

/**
 * The reliability runner's own logic (npm run test:reliability runs the scenarios themselves):
 * route enumeration, the log scanner, options and the seeded copies.
 */
describe('reliability runner helpers', () => {
  it('parses printRoutes({ commonPrefix: false }) into full paths and methods', () => {
    const tree = [
      '├── /healthz (GET, HEAD)',
      '├── /api/accounts/:id|:accountId/dialpad-office (PUT, DELETE)',
      '├── /api/calls/:id (GET, HEAD)',
      '│   ├── /link (PUT, DELETE)',
      '│   └── /match (POST)',
      '└── /docs (GET, HEAD)',
      '    └── /static/:file (GET, HEAD)',
      '',
    ].join('\n');
    const routes = parsePrintedRoutes(tree).map((r) => `${r.method} ${normalise(r.path)}`);
    expect(routes).toEqual([
      'GET /healthz',
      'HEAD /healthz',
      'PUT /api/accounts/:p/dialpad-office',
      'DELETE /api/accounts/:p/dialpad-office',
      'GET /api/calls/:p',
      'HEAD /api/calls/:p',
      'PUT /api/calls/:p/link',
      'DELETE /api/calls/:p/link',
      'POST /api/calls/:p/match',
      'GET /docs',
      'HEAD /docs',
      'GET /docs/static/:p',
      'HEAD /docs/static/:p',
    ]);
  });

  it('finds secrets, signed bodies, full numbers and transcript sentences, not masked numbers', () => {
    const scanner = new LogScanner({
      secrets: { 'the API token': 'api-SECRET-token-123' },
      phoneNumbers: new Set(['+14155550142']),
      sentences: new Set(['I was charged twice for the same order.']),
    });
    const line = (o: Record<string, unknown>) => JSON.stringify({ level: 30, msg: 'm', ...o });
    scanner.scanLine('f', 1, line({ phone: '+1415•••0142', callId: '6421977457180672' }));
    expect(scanner.findings).toEqual([]);
    scanner.scanLine('f', 2, line({ phone: '+14155550142' }));
    scanner.scanLine('f', 3, line({ note: 'dialled 14155550142 twice' }));
    scanner.scanLine('f', 4, line({ text: 'Caller: "I was charged twice for the same order." Agent: ok' }));
    scanner.scanLine('f', 5, 'plain text with api-SECRET-token-123 in it');
    scanner.scanLine('f', 6, line({ body: 'eyJhbGciOiJIUzI1NiJ9.eyJjYWxsX2lkIjoxfQ.sig' }));
    scanner.scanLine('f', 7, line({ url: 'postgres://postgres:hunter2@127.0.0.1:5432/db' }));
    scanner.scanLine('f', 8, line({ url: 'postgres://postgres:***@127.0.0.1:5432/db' }));
    expect(scanner.findings.map((f) => [f.line, f.what])).toEqual([
      [2, 'a full phone number'],
      [3, 'a full phone number (without +)'],
      [4, 'a transcript sentence'],
      [5, 'the API token'],
      [6, 'a signed webhook body (JWS)'],
      [7, 'a database URL with its password'],
    ]);
    expect(scanner.findings[0]!.where).toContain('key phone');
    expect(JSON.stringify(scanner.findings)).not.toContain('api-SECRET-token-123');
  });

  it('scans files and picks the ingress and worker logs only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rel-logs-'));
    try {
      for (const f of ['ingress-1.log', 'worker-2.log', 'ingress-in-process.log', 'postgres.log', 'runner.log']) {
        writeFileSync(join(dir, f), `${JSON.stringify({ level: 30, msg: 'x' })}\n`);
      }
      expect(productLogFiles(dir)).toEqual(['ingress-1.log', 'ingress-in-process.log', 'worker-2.log']);
      const scanner = new LogScanner({ secrets: {}, phoneNumbers: new Set(), sentences: new Set() });
      await scanner.scanFile(join(dir, 'ingress-1.log'), 'ingress-1.log');
      expect([scanner.lines, scanner.infoLines]).toEqual([1, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads sizes from flags and REL_ variables, flags first', () => {
    const { options, scenarios } = parseOptions(['duplicates,hostile', '--dup-calls=50'], {
      REL_DUP_CALLS: '70',
      REL_HOSTILE_REQUESTS: '300',
    });
    expect(scenarios).toEqual(['duplicates', 'hostile']);
    expect(options.dupCalls).toBe(50);
    expect(options.hostileRequests).toBe(300);
    expect(options.dupMaxCopies).toBe(DEFAULTS.dupMaxCopies);
    expect(() => parseOptions(['--nope=1'], {})).toThrow(/unknown flag/);
    expect(() => parseOptions(['--dup-calls=x'], {})).toThrow(/REL_DUP_CALLS/);
  });

  it('draws the same copies from the same seed', () => {
    const a = prng('seed');
    const b = prng('seed');
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
