import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The import rule for workflow code (eslint.config.mjs): workflows/** may import only
 * @temporalio/workflow, @temporalio/common, workflow files and workflows/shared/, and types from
 * activities/. Linted through the project's own configuration, on files that exist only here.
 *
 * ESLint loads eslint.config.mjs with a dynamic import, which jest's CommonJS runtime refuses, so
 * the ESLint Node API runs in a child Node process. Type-aware rules are switched off there
 * (typescript-eslint's disableTypeChecked): a virtual file is in no TypeScript project, and the
 * rule under test needs no types.
 */
const root = resolve(__dirname, '../..');

interface Sample {
  code: string;
  file: string;
}
interface Finding {
  ruleId: string | null;
  message: string;
  fatal?: boolean;
}

const LINT = `
const { ESLint } = require('eslint');
const tseslint = require('typescript-eslint');
const path = require('node:path');
(async () => {
  const samples = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
  const out = { samples: [], committed: [] };
  for (const s of samples) {
    const [r] = await eslint.lintText(s.code, { filePath: path.resolve(s.file) });
    out.samples.push(r.messages.filter((m) => m.ruleId === 'no-restricted-imports' || m.fatal));
  }
  for (const r of await eslint.lintFiles(['workflows/**/*.ts'])) {
    for (const m of r.messages) if (m.ruleId === 'no-restricted-imports' || m.fatal) out.committed.push(r.filePath + ': ' + m.message);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

const bad: [string, string][] = [
  ["import knex from 'knex';", 'knex'],
  ["import { Pool } from 'pg';", 'pg'],
  ["import { createHash } from 'node:crypto';", 'a Node built-in'],
  ["import { readFileSync } from 'fs';", 'a bare Node built-in'],
  ["import { createKnex } from '../src/db/knex';", 'src/ (pulls in knex)'],
  ["import { DialpadClient } from '../src/dialpad/client';", 'src/'],
  ["import type { Config } from '../src/config';", 'even a type from src/'],
  ["import { Client } from '@temporalio/client';", 'the Temporal client'],
  ["import { Context } from '@temporalio/activity';", 'the activity package'],
  ["import fastify from 'fastify';", 'fastify'],
  ["import { createActivities } from '../activities';", 'activities/ as a value'],
  ["export { syncDirectory } from '../activities/sync-activities';", 'a re-export of activities/'],
];

const good = [
  "import { proxyActivities, sleep } from '@temporalio/workflow';",
  "import { SearchAttributeType } from '@temporalio/common';",
  "import type { CallActivities } from '../activities';",
  "import type { SyncActivities } from '../activities/sync-activities';",
  "import { callWorkflowId } from './shared/ids';",
  "import { callEventSignal } from './shared';",
  "import { callWorkflow } from './callWorkflow';",
  'export const used = [proxyActivities<CallActivities & SyncActivities>, sleep, SearchAttributeType];',
  'export const more = [callWorkflowId, callEventSignal, callWorkflow];',
  '',
].join('\n');

const samples: Sample[] = [
  ...bad.map(([code]) => ({ code: `${code}\nexport const x = 1;\n`, file: 'workflows/virtualWorkflow.ts' })),
  {
    code: "import { DialpadClient } from '../../src/dialpad/client';\nexport const x = DialpadClient;\n",
    file: 'workflows/shared/virtual.ts',
  },
  { code: good, file: 'workflows/virtualWorkflow.ts' },
  { code: "import knex from 'knex';\nexport const k = knex;\n", file: 'src/virtual.ts' },
];

let linted: { samples: Finding[][]; committed: string[] };
beforeAll(() => {
  const out = execFileSync(process.execPath, ['-e', LINT], { cwd: root, input: JSON.stringify(samples) });
  linted = JSON.parse(out.toString());
}, 60_000);

describe('workflow import rule', () => {
  it.each(bad.map(([code, what], i) => [code, what, i] as const))('%s is an error (%s)', (_code, _what, i) => {
    const errors = linted.samples[i]!;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fatal).toBeFalsy();
    expect(errors[0]!.message).toMatch(/workflow code may import only/);
  });

  it('an import of src/ from workflows/shared/ is an error too', () => {
    expect(linted.samples[bad.length]).toHaveLength(1);
    expect(linted.samples[bad.length]![0]!.message).toMatch(/workflow code may import only/);
  });

  it('allows @temporalio/workflow, @temporalio/common, ./shared, other workflow files and types from activities/', () => {
    expect(linted.samples[bad.length + 1]).toEqual([]);
  });

  it('does not restrict code outside workflows/', () => {
    expect(linted.samples[bad.length + 2]).toEqual([]);
  });

  it('the workflows as committed pass it', () => {
    expect(linted.committed).toEqual([]);
  });
});
