import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { temporal as proto } from '@temporalio/proto';
import { PROJECT_ROOT } from '../../dev/paths';
import { freePort, spawnLogged, type Child } from '../../lib/processes';
import { waitFor } from '../../lib/wait';
import { LOG_DIR, type BenchStack } from './stack';
import { log } from './util';

/**
 * `npm run bench -- e2e --compare <commit>`: an older commit's own worker and ingress, run from a
 * temporary `git worktree` of that commit (node_modules symlinked from this checkout), against
 * the same Postgres (migrated by the current code) and Temporal dev server, on a task queue of
 * their own so that the two versions' workflows never meet. The current load generator drives
 * them; the caller measures them as it measures the current processes.
 */
export interface OldCode {
  commit: string;
  dir: string;
  ingressUrl: string;
  ingress: Child;
  worker: Child;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startOldCode(stack: BenchStack, ref: string): Promise<OldCode> {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const dir = mkdtempSync(join(tmpdir(), `bench-compare-${commit.slice(0, 8)}-`));
  rmSync(dir, { recursive: true, force: true });
  log(`compare: checking out ${commit.slice(0, 10)} into ${dir}`);
  git('worktree', 'add', '--detach', dir, commit);
  const children: Child[] = [];
  const cleanup = async () => {
    for (const c of children.reverse()) await c.stop().catch(() => undefined);
    try {
      git('worktree', 'remove', '--force', dir);
    } catch (err) {
      log(`compare: git worktree remove: ${(err as Error).message}`);
      rmSync(dir, { recursive: true, force: true });
      git('worktree', 'prune');
    }
  };
  try {
    symlinkSync(realpathSync(join(PROJECT_ROOT, 'node_modules')), join(dir, 'node_modules'));
    const taskQueue = `${stack.taskQueue}-old`;
    const env = { ...process.env, ...stack.env, TEMPORAL_TASK_QUEUE: taskQueue };
    const spawn = (name: string, script: string, extra: NodeJS.ProcessEnv = {}) => {
      const c = spawnLogged({
        name,
        command: process.execPath,
        args: ['--import', 'tsx', script],
        cwd: dir,
        env: { ...env, ...extra },
        logFile: join(LOG_DIR, `${name}.log`),
        logMode: 'w',
        stopGraceMs: 15_000,
      });
      children.push(c);
      return c;
    };
    const ready = (what: string, check: () => Promise<boolean>, child: Child) =>
      waitFor(what, check, { timeoutMs: 120_000, gone: child.exitReason, hint: () => `; see ${LOG_DIR}` });

    const worker = spawn('worker-old', 'src/worker.ts');
    stack.behindIngress(worker.pid); // Where the current worker is.
    await ready(
      `worker of ${commit.slice(0, 10)}`,
      async () => {
        const r = await stack.temporalConnection.workflowService.describeTaskQueue({
          namespace: stack.env.TEMPORAL_NAMESPACE!,
          taskQueue: { name: taskQueue },
          taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        return (r.pollers?.length ?? 0) > 0;
      },
      worker,
    );
    const port = await freePort();
    const ingress = spawn('ingress-old', 'src/server.ts', { PORT: String(port) });
    const ingressUrl = `http://127.0.0.1:${port}`;
    await ready(`ingress of ${commit.slice(0, 10)}`, async () => (await fetch(`${ingressUrl}/healthz`)).ok, ingress);
    return { commit, dir, ingressUrl, ingress, worker, taskQueue, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
