// The benchmarks put the worker, Temporal and Postgres behind the ingress on a shared machine
// (tools/bench/lib/stack.ts) with deprioritise() from tools/lib/processes.ts. A runtime that starts
// its threads before we can renice it (Go's, Rust's, Node's own) must have every thread lowered.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { deprioritise } from '../../tools/lib/processes';

const threadsOf = (pid: number) =>
  existsSync(`/proc/${pid}/task`) ? readdirSync(`/proc/${pid}/task`).map(Number) : [pid];

describe('deprioritise', () => {
  const children: ChildProcess[] = [];
  const start = (niceness = 0) => {
    // A Node child has several threads from its first moment (V8's platform, libuv's pool).
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    children.push(child);
    if (niceness) os.setPriority(child.pid!, niceness);
    return child.pid!;
  };
  afterEach(() => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
  });

  it('lowers every thread the process has to the niceness asked for', async () => {
    const pid = start();
    await new Promise((r) => setTimeout(r, 300)); // Its threads are up.
    expect(deprioritise(pid, 10)).toBe(true);
    const threads = threadsOf(pid);
    expect(threads.length).toBeGreaterThan(process.platform === 'linux' ? 1 : 0);
    expect(threads.map((t) => os.getPriority(t))).toEqual(threads.map(() => 10));
  });

  it('never raises a priority: a process already lower stays where it is', async () => {
    const pid = start(15);
    await new Promise((r) => setTimeout(r, 300));
    expect(deprioritise(pid, 10)).toBe(true);
    expect(os.getPriority(pid)).toBe(15);
  });

  it('reports false for a process that is gone', () => {
    expect(deprioritise(2 ** 22 + 12345, 10)).toBe(false);
  });
});
