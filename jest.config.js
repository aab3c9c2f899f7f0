/**
 * Three projects (`npx jest --selectProjects <name>`):
 *
 * - unit: the test files that need no service. They run without the global setup: no Postgres, no
 *   Temporal, nothing started for the run (`npm run test:unit`, seconds).
 * - integration: every other test file, against one real Postgres and one real Temporal dev server
 *   per run (test/global-setup.ts); each jest worker gets its own database.
 * - scale: the long tests at full size (50,000 contacts, 50,000 forged webhooks), a few minutes;
 *   `npm run test:scale`, which CI runs after `npm test`.
 *
 * `npm test` (plain `jest`) runs unit and integration: the scale project is only defined when the
 * command line asks for it (`--selectProjects scale`, or a scale test file's path) or
 * NAVIGATOR_SCALE_TESTS=1 is set. A new test file belongs to integration until it is named in UNIT
 * (or SCALE); test/jest-projects.test.ts checks that every test file is in exactly one project and
 * that no unit file imports the helpers that need the services.
 */

/** Test files (under test/, without `.test.ts`) that need neither Postgres nor Temporal. */
const UNIT = [
  'ai/derive',
  'ai/generalise',
  'ai/churn-tune8',
  'ai/churn-tune12',
  'ai/churn-tune17',
  'ai/sentiment-combiner',
  'ai/churn-learned',
  'ai/themes-learned',
  'ai/topics-learned',
  'ai/eval',
  'ai/model',
  'ai/nlp',
  'bench/report',
  'bench/final-row',
  'bench/cpu-meter',
  'bench/priority',
  'build/product-build',
  'calls/durations',
  'config/compose',
  'config/config',
  'config/temporal-security',
  'contract/call-events',
  'contract/client-requests',
  'contract/simulator-responses',
  'deploy/manifests',
  'dialpad/client',
  'dialpad/contact-lists',
  'dialpad/json',
  'dialpad/rate-limit',
  'dialpad/response-cap',
  'dialpad/shapes',
  'ingress/transitions',
  'ingress/verify',
  'jest-projects',
  'lint/code-layout',
  'ops/backfill-import',
  'ops/observability',
  'phone/normalize',
  'reliability/helpers',
  'reliability/verify',
  'simulator/calls',
  'simulator/company',
  'simulator/emitter',
  'simulator/server',
  'sync/simulator-directory',
];

/** The long tests, at full size: not in `npm test`, run by `npm run test:scale` (and CI). */
const SCALE = ['sync/contacts-scale', 'ingress/rejection-flood'];

const file = (name) => `<rootDir>/test/${name}.test.ts`;
const fileRegex = (name) => `<rootDir>/test/${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.test\\.ts$`;

/** What every project shares. */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Some dependencies ship only ES modules (cookie 2, used by Fastify's inject); jest's CommonJS
  // runtime cannot require them, so they are compiled like our own code.
  transformIgnorePatterns: ['/node_modules/(?!(cookie)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
};

/**
 * One real Postgres and one real Temporal dev server per run. Jest runs a project's global setup
 * only when at least one of its test files is selected, and a module shared by several selected
 * projects once, so `--selectProjects unit` starts nothing and integration + scale start one pair.
 */
const services = {
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
};

/** The projects named by --selectProjects (in any of the spellings jest's command line accepts). */
function selectedProjects(argv) {
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const m = /^--select-?[pP]rojects(?:=(.*))?$/.exec(argv[i]);
    if (!m) continue;
    if (m[1] !== undefined) names.push(m[1]);
    else while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) names.push(argv[++i]);
  }
  return names;
}

const argv = process.argv.slice(2);
const scaleAsked =
  process.env.NAVIGATOR_SCALE_TESTS === '1' ||
  selectedProjects(argv).includes('scale') ||
  argv.some((arg) => SCALE.some((name) => !arg.startsWith('-') && arg.includes(name)));

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: UNIT.map(file) },
    {
      ...common,
      ...services,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...[...UNIT, ...SCALE].map(fileRegex)],
    },
    ...(scaleAsked ? [{ ...common, ...services, displayName: 'scale', testMatch: SCALE.map(file) }] : []),
  ],
  testTimeout: 120000,
  maxWorkers: 2,
};
