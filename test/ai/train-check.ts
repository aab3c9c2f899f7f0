// Runs a learned step's training script with --check (it fails when the committed weights are not what
// training on the tuning sets gives) and returns what it printed: shared by the learned steps' tests.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function runTrainingCheck(script: string): string {
  return execFileSync(process.execPath, ['--import', 'tsx', script, '--check'], { cwd: ROOT, encoding: 'utf8' });
}
