import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { isExecutable } from './temporal-cli';

/**
 * Finds or installs `promtool`, which checks the Prometheus configuration, the alert rules and
 * their unit tests (deploy/prometheus/, test/ops/observability.test.ts). Order: PROMTOOL_PATH,
 * `promtool` on PATH, the project cache outside git, then into that cache: the binary out of
 * Debian's `prometheus` package (`apt-get download` and `dpkg-deb -x`: nothing is installed
 * system-wide and no Prometheus service starts; `apt-get update` first when root and the package
 * is not known yet), or, without apt, `go install …/cmd/promtool@PROMTOOL_GO_VERSION`.
 *
 * `npx tsx tools/dev/promtool.ts` (`npm run promtool`) prints its path; .ci/run runs it before the tests.
 */
export const PROMTOOL_GO_VERSION = 'v0.316.0';
const GO_PACKAGE = `github.com/prometheus/prometheus/cmd/promtool@${PROMTOOL_GO_VERSION}`;

export function promtoolCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.NAVIGATOR_DIALPAD_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'navigator-dialpad');
  return join(base, 'promtool');
}

export const INSTALL_HINT =
  'promtool is needed to check deploy/prometheus: run `npm run promtool` (it takes the binary out of ' +
  "Debian's prometheus package into ~/.cache/navigator-dialpad/promtool), or `apt-get install prometheus`, " +
  'or set PROMTOOL_PATH';

function works(path: string): boolean {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && /promtool/i.test(`${r.stdout}${r.stderr}`);
}

/** Without installing anything: the promtool to use, or undefined. */
export function findPromtool(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.PROMTOOL_PATH?.trim();
  if (explicit) return isExecutable(explicit) && works(explicit) ? explicit : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'promtool');
    if (isExecutable(candidate) && works(candidate)) return candidate;
  }
  const cached = join(promtoolCacheDir(env), 'bin', 'promtool');
  if (isExecutable(cached) && works(cached)) return cached;
  return undefined;
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function fromDebianPackage(target: string, env: NodeJS.ProcessEnv, log: (m: string) => void): boolean {
  if (!onPath('apt-get', env) || !onPath('dpkg-deb', env)) return false;
  const work = mkdtempSync(join(tmpdir(), 'promtool-'));
  try {
    const download = () =>
      spawnSync('apt-get', ['download', 'prometheus'], { cwd: work, encoding: 'utf8', timeout: 300_000 });
    let r = download();
    if (r.status !== 0 && process.getuid?.() === 0) {
      log('apt-get does not know the prometheus package yet: apt-get update');
      spawnSync('apt-get', ['update'], { encoding: 'utf8', timeout: 300_000, stdio: 'ignore' });
      r = download();
    }
    const deb = readdirSync(work).find((f) => f.endsWith('.deb'));
    if (r.status !== 0 || !deb) {
      log(`apt-get download prometheus failed: ${(r.stderr || r.stdout || '').trim().split('\n').pop() ?? ''}`);
      return false;
    }
    execFileSync('dpkg-deb', ['-x', join(work, deb), join(work, 'x')]);
    const binary = join(work, 'x', 'usr', 'bin', 'promtool');
    if (!existsSync(binary)) return false;
    copyFileSync(binary, target);
    log(`took promtool out of ${deb}`);
    return true;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function fromGo(binDir: string, env: NodeJS.ProcessEnv, log: (m: string) => void): boolean {
  const go = onPath('go', env);
  if (!go) return false;
  log(`building promtool with go install ${GO_PACKAGE} (several minutes)…`);
  const r = spawnSync(go, ['install', GO_PACKAGE], {
    env: { ...env, GOBIN: binDir, CGO_ENABLED: '0' },
    encoding: 'utf8',
    timeout: 1_800_000,
  });
  if (r.status !== 0) log(`go install failed: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}`);
  return r.status === 0;
}

/** Finds promtool, or installs it into the cache; undefined when neither worked. */
export function locateOrInstallPromtool(
  opts: { env?: NodeJS.ProcessEnv; log?: (msg: string) => void } = {},
): string | undefined {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[promtool] ${m}\n`));
  const found = findPromtool(env);
  if (found) return found;
  if (env.PROMTOOL_PATH?.trim()) {
    log(`PROMTOOL_PATH=${env.PROMTOOL_PATH} is not a working promtool`);
    return undefined;
  }
  const binDir = join(promtoolCacheDir(env), 'bin');
  mkdirSync(binDir, { recursive: true });
  const target = join(binDir, 'promtool');
  if ((fromDebianPackage(target, env, log) || fromGo(binDir, env, log)) && works(target)) return target;
  return undefined;
}

if (require.main === module) {
  const path = locateOrInstallPromtool();
  if (!path) {
    process.stderr.write(`${INSTALL_HINT}\n`);
    process.exit(1);
  }
  process.stdout.write(`${path}\n`);
}
