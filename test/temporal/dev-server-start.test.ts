import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { locateTemporalCli } from '../../tools/dev/temporal-cli';
import { startTemporalDevServer } from '../../tools/dev/temporal-server';
import { freePort } from '../global-setup';

/**
 * The one launcher for a local Temporal (dev, tests, benchmarks) starts again a CLI that dies before
 * it is ready, as the real one does when another process takes one of the internal ports it chose
 * and let go of, and says why when it gives up. The "CLI" here is a script in front of the real
 * one that panics the way Go does (reason first, then a long stack).
 */
const GO_PANIC = [
  'panic: listen tcp 127.0.0.1:40123: bind: address already in use',
  '',
  'goroutine 1 [running]:',
  ...Array.from({ length: 30 }, (_, i) => `\tgo.temporal.io/server/frame${i}.go:${i + 10} +0x${i}f`),
].join('\n');

describe('the Temporal dev server launcher', () => {
  let dir: string;
  let realCli: string;
  const saved = process.env.TEMPORAL_CLI_PATH;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'navigator-devserver-'));
    const located = await locateTemporalCli({ log: () => undefined, allowBuild: false });
    if (!located) throw new Error('no Temporal CLI (the global set-up builds one)');
    realCli = located.path;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.TEMPORAL_CLI_PATH;
    else process.env.TEMPORAL_CLI_PATH = saved;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A CLI that panics on its first `crashes` runs (counted in a file), then runs the real one. */
  function flakyCli(name: string, crashes: number): string {
    const counter = join(dir, `${name}.runs`);
    const script = join(dir, `${name}.sh`);
    writeFileSync(join(dir, `${name}.panic`), `${GO_PANIC}\n`);
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        `n=$(cat '${counter}' 2>/dev/null || echo 0)`,
        `echo $((n + 1)) > '${counter}'`,
        `if [ "$n" -lt ${crashes} ]; then cat '${join(dir, `${name}.panic`)}'; exit 2; fi`,
        `exec '${realCli}' "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(script, 0o755);
    return script;
  }

  it('starts again a server that exits before it is ready, and it then serves', async () => {
    process.env.TEMPORAL_CLI_PATH = flakyCli('once', 1);
    const said: string[] = [];
    const server = await startTemporalDevServer({
      port: await freePort(),
      namespace: 'default',
      logFile: join(dir, 'once.log'),
      log: (m) => said.push(m),
    });
    try {
      const connection = await Connection.connect({ address: server.address });
      try {
        const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
        expect(ns.namespaceInfo?.name).toBe('default');
      } finally {
        await connection.close();
      }
      const restarted = said.filter((m) => m.includes('exited before it was ready'));
      expect(restarted).toHaveLength(1);
      expect(restarted[0]).toContain('attempt 1 of 3');
      expect(restarted[0]).toContain('panic: listen tcp 127.0.0.1:40123: bind: address already in use');
    } finally {
      await server.stop();
    }
  });

  it('gives up after three starts, naming the reason above the stack', async () => {
    process.env.TEMPORAL_CLI_PATH = flakyCli('always', 99);
    const logFile = join(dir, 'always.log');
    const start = startTemporalDevServer({
      port: await freePort(),
      namespace: 'default',
      logFile,
      log: () => undefined,
    });
    await expect(start).rejects.toThrow(/exited with 2 before it was ready[\s\S]*panic: listen tcp 127\.0\.0\.1:40123/);
    expect(existsSync(logFile)).toBe(true);
    expect(Number(readFileSync(join(dir, 'always.runs'), 'utf8'))).toBe(3);
  });
});
