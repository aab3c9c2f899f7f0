import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { childPids, CpuMeter, REAPING_PARENTS } from '../../tools/bench/lib/util';

/**
 * The benchmark's CPU meter counts a process group's children that exited during the measurement when
 * their parent reaps them (the postmaster and its backends): a backend closed before the meter stopped
 * used to take its CPU with it.
 */
describe('CpuMeter', () => {
  // A parent that, when told, runs a child burning about 0.4 s of CPU, waits for it, and stays alive.
  const parentScript = `
    const { spawnSync } = require('node:child_process');
    process.stdin.once('data', () => {
      spawnSync(process.execPath, ['-e', 'const t = process.cpuUsage(); while (process.cpuUsage(t).user < 400000) {}']);
      process.stdout.write('done\\n');
    });
    setInterval(() => {}, 1000);
    process.stdout.write('ready\\n');
  `;

  async function measure(reaping: boolean): Promise<number> {
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['pipe', 'pipe', 'inherit'] });
    // A line from the parent, or the reason it never came.
    const line = () =>
      Promise.race([
        once(parent.stdout, 'data'),
        once(parent, 'exit').then(([code]) => Promise.reject(new Error(`the parent exited with ${String(code)}`))),
      ]);
    try {
      if (reaping) REAPING_PARENTS.add(parent.pid!);
      // Node's own start-up is not measured.
      await line();
      const meter = new CpuMeter({ group: () => [parent.pid!, ...childPids(parent.pid!)] }).start();
      parent.stdin.write('go\n');
      await line();
      return meter.stopSeconds().cpuSeconds.group ?? 0;
    } finally {
      REAPING_PARENTS.delete(parent.pid!);
      parent.kill();
    }
  }

  it("keeps an exited child's CPU in the group when its parent is a reaping parent", async () => {
    expect(await measure(true)).toBeGreaterThanOrEqual(0.3);
  });

  it('loses it otherwise (why the postmaster is registered)', async () => {
    expect(await measure(false)).toBeLessThan(0.2);
  });
});
