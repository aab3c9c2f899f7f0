import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The jest projects (jest.config.js) as jest itself sees them: every test file is in exactly one of
 * unit, integration and scale, and no unit file imports the helpers that need the Postgres and
 * Temporal of the global setup (the unit project runs without it).
 */
const ROOT = resolve(__dirname, '..');
const PROJECTS = ['unit', 'integration', 'scale'] as const;

/** Helpers that read what the global setup started, or start Postgres themselves. */
const NEEDS_SERVICES = [
  'test/global-setup.ts',
  'test/support/run-info.ts',
  'test/support/db.ts',
  'test/support/temporal.ts',
  'test/support/postgres-process.ts',
  'test/support/postgres-child.ts',
];

/** The test files jest would run with these arguments, as paths from the repository root. */
function listTests(...args: string[]): string[] {
  const out = execFileSync(process.execPath, [require.resolve('jest/bin/jest'), '--listTests', '--json', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NAVIGATOR_SCALE_TESTS: undefined },
  });
  return (JSON.parse(out) as string[]).map((f) => relative(ROOT, f)).sort();
}

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return testFiles(path);
    return e.name.endsWith('.test.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The repository's files a file imports, directly or not (relative imports only). */
function importClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const stack = [resolve(ROOT, file)];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const i of ts.preProcessFile(readFileSync(f, 'utf8'), true, true).importedFiles) {
      if (!i.fileName.startsWith('.')) continue;
      const base = resolve(dirname(f), i.fileName);
      const found = [`${base}.ts`, join(base, 'index.ts'), base].find((c) => c.endsWith('.ts') && existsSync(c));
      if (found) stack.push(found);
    }
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

describe('jest projects', () => {
  const members = Object.fromEntries(PROJECTS.map((p) => [p, listTests('--selectProjects', p)])) as Record<
    (typeof PROJECTS)[number],
    string[]
  >;

  it('every test file is in exactly one project', () => {
    const all = testFiles(join(ROOT, 'test')).sort();
    const projectsOf = (f: string) => PROJECTS.filter((p) => members[p].includes(f));
    expect(
      all.filter((f) => projectsOf(f).length !== 1).map((f) => `${f}: ${projectsOf(f).join(', ') || 'none'}`),
    ).toEqual([]);
    expect(PROJECTS.flatMap((p) => members[p]).sort()).toEqual(all);
    // Each project lists what it was meant to (a name in UNIT or SCALE that matches no file is a typo).
    const config = readFileSync(join(ROOT, 'jest.config.js'), 'utf8');
    const listed = (name: string) =>
      [...new RegExp(`const ${name} = \\[([^\\]]*)\\]`).exec(config)![1]!.matchAll(/'([^']+)'/g)].map(
        (m) => `test/${m[1]}.test.ts`,
      );
    expect(members.unit).toEqual(listed('UNIT').sort());
    expect(members.scale).toEqual(listed('SCALE').sort());
    expect(members.unit.length).toBeGreaterThan(0);
    expect(members.integration.length).toBeGreaterThan(0);
  });

  it('no unit test file imports a helper that needs Postgres or Temporal', () => {
    const offending = members.unit.flatMap((f) => {
      const closure = importClosure(f);
      return NEEDS_SERVICES.filter((h) => closure.has(h)).map((h) => `${f} → ${h}`);
    });
    expect(offending).toEqual([]);
  });

  it('plain jest (npm test) leaves the scale tests out', () => {
    const plain = listTests();
    expect(plain).toEqual([...members.unit, ...members.integration].sort());
  });
});
