import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Finds or builds the `temporal` CLI (it carries the dev server and the Web UI).
 * Order: explicit path (TEMPORAL_CLI_PATH), `temporal` on PATH, the project cache
 * outside git, `go install …@v1.5.1` into that cache, and last `undefined` so the caller may fall
 * back to the SDK's own download (which needs internet access).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`;

export function temporalCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.NAVIGATOR_DIALPAD_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'navigator-dialpad');
  return join(base, 'temporal-cli', TEMPORAL_CLI_VERSION);
}

export interface LocatedCli {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install';
}

/** An executable regular file (or a link to one) at `p`. */
export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Rejects a binary that is not a working Temporal CLI (e.g. an unrelated `temporal` on PATH). */
function looksLikeTemporalCli(path: string): boolean {
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && /temporal version/i.test(r.stdout);
}

export async function locateTemporalCli(
  opts: { env?: NodeJS.ProcessEnv; log?: (msg: string) => void; allowBuild?: boolean } = {},
): Promise<LocatedCli | undefined> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => process.stderr.write(`[temporal-cli] ${m}\n`));

  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH: ${explicit} is not an executable file`);
    log(`using TEMPORAL_CLI_PATH=${explicit}`);
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }

  const fromPath = onPath('temporal', env);
  if (fromPath && looksLikeTemporalCli(fromPath)) {
    log(`using temporal found on PATH: ${fromPath}`);
    return { path: fromPath, source: 'PATH' };
  }

  const cacheDir = temporalCacheDir(env);
  const cached = join(cacheDir, 'bin', 'temporal');
  if (existsSync(cached) && looksLikeTemporalCli(cached)) {
    log(`using cached ${cached}`);
    return { path: cached, source: 'cache' };
  }

  if (opts.allowBuild !== false) {
    const go = onPath('go', env);
    if (go) {
      mkdirSync(join(cacheDir, 'bin'), { recursive: true });
      log(
        `building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install into ${cacheDir} (first time only, a few minutes)…`,
      );
      const started = Date.now();
      await promisify(execFile)(go, ['install', GO_PACKAGE], {
        env: { ...env, GOBIN: join(cacheDir, 'bin'), CGO_ENABLED: '0' },
        maxBuffer: 64 * 1024 * 1024,
      });
      if (existsSync(cached) && looksLikeTemporalCli(cached)) {
        log(`built ${cached} in ${Math.round((Date.now() - started) / 1000)} s`);
        return { path: cached, source: 'go install' };
      }
      log('go install finished but produced no working binary');
    } else {
      log('Go is not installed, so the Temporal CLI cannot be built locally');
    }
  }
  log("no Temporal CLI found; falling back to the Temporal SDK's download (needs internet access)");
  return undefined;
}

// `tsx tools/dev/temporal-cli.ts` prints the path, so CI can provision (and cache) it up front.
if (require.main === module) {
  locateTemporalCli()
    .then((found) => {
      if (!found) process.exit(1);
      process.stdout.write(`${found.path}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    });
}
