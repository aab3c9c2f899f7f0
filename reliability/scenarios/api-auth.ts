import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createKnex } from '../../src/db/knex';
import { PROJECT_ROOT } from '../../src/dev/paths';
import { loggerOptions } from '../../src/logger';
import { createTemporalClient } from '../../src/temporal/connection';
import type { ReliabilityEnv } from '../lib/env';
import type { Scenario } from '../lib/result';
import { normalise, parsePrintedRoutes, type RouteEntry } from '../lib/routes';

/**
 * Scenario 7: every `/api` route (enumerated from the app itself with printRoutes) without a token,
 * with a wrong one, and — for the administrator routes — with API_TOKEN, sent to the real ingress
 * process: 401 / 401 / 403 with a JSON {error, message}, before the request's parameters or body
 * are looked at (a malformed request without a token is a 401 too, not a 400). Positive controls:
 * the right token is not refused. And a unit check that tokens are compared in constant time.
 */

/**
 * Routes only ADMIN_TOKEN may call: these (DESIGN.md), everything under /api/admin/, and any other
 * route that refuses API_TOKEN with a 403 (found by probing, listed in the result).
 */
const ADMIN_ROUTES = new Set([
  'PUT /api/accounts/:p/dialpad-office',
  'DELETE /api/accounts/:p/dialpad-office',
  'POST /api/accounts/:p/sync/:p', // src/routes/admin.ts: run an account's sync now
]);
const ADMIN_PREFIX = '/api/admin/';

export const apiAuthScenario: Scenario = {
  name: 'api-auth',
  title: 'every /api route: no token 401, wrong token 401, API_TOKEN on admin routes 403; constant-time compare',
  run: async (env: ReliabilityEnv) => {
    const failures: string[] = [];
    const routes = await enumerateRoutes(env);
    const api = routes.filter((r) => r.path.startsWith('/api'));
    env.note(
      `  ${api.length} /api route methods: ${[...new Set(api.map((r) => `${r.method} ${normalise(r.path)}`))].join(', ')}`,
    );
    if (api.length === 0) failures.push('no /api routes found');
    for (const admin of ADMIN_ROUTES) {
      if (!api.some((r) => `${r.method} ${normalise(r.path)}` === admin))
        failures.push(`administrator route ${admin} not found`);
    }

    const { apiToken, adminToken } = env.secrets;
    const wrongTokens = [
      randomBytes(18).toString('base64url'),
      apiToken.slice(0, -1),
      `${apiToken}x`,
      apiToken.toUpperCase() === apiToken ? apiToken.toLowerCase() : apiToken.toUpperCase(),
      adminToken.slice(1),
      'x',
      'a'.repeat(5000),
    ];
    const badHeaders = [
      ...wrongTokens.map((t) => `Bearer ${t}`),
      `Basic ${Buffer.from(`api:${apiToken}`).toString('base64')}`,
      'Bearer',
      'Bearer ',
      apiToken,
      `Token ${apiToken}`,
    ];

    interface Check {
      method: string;
      route: string;
      what: string;
      expect: number | 'not-401-403';
      status: number;
      body: unknown;
    }
    const checks: Check[] = [];
    const call = async (
      method: string,
      path: string,
      what: string,
      expect: Check['expect'],
      auth?: string,
      malformed = false,
    ) => {
      const url = `${env.ingressUrl}${path.replace(/:[A-Za-z0-9_]+(?:\|:[A-Za-z0-9_]+)*/g, malformed ? 'not-a-uuid' : randomUUID())}`;
      const hasBody = !['GET', 'HEAD', 'DELETE'].includes(method);
      const res = await fetch(url, {
        method,
        headers: {
          ...(auth !== undefined ? { authorization: auth } : {}),
          ...(hasBody ? { 'content-type': malformed ? 'text/plain' : 'application/json' } : {}),
        },
        body: hasBody ? (malformed ? 'junk' : '{}') : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text.slice(0, 80);
      }
      checks.push({ method, route: `${method} ${normalise(path)}`, what, expect, status: res.status, body });
    };

    const detectedAdmin: string[] = [];
    for (const r of api) {
      const name = `${r.method} ${normalise(r.path)}`;
      const declared =
        ADMIN_ROUTES.has(name) ||
        ADMIN_ROUTES.has(`${r.method === 'HEAD' ? 'GET' : r.method} ${normalise(r.path)}`) ||
        r.path.startsWith(ADMIN_PREFIX);
      let isAdmin = declared;
      if (!declared) {
        const before = checks.length;
        await call(
          r.method,
          r.path,
          'API_TOKEN (control)',
          'not-401-403',
          `Bearer ${apiToken}`,
          !['GET', 'HEAD'].includes(r.method),
        );
        if (checks[before]!.status === 403) {
          // An administrator-only route we did not know of: held to the administrator rules below.
          checks.pop();
          detectedAdmin.push(name);
          isAdmin = true;
        }
      }
      await call(r.method, r.path, 'no token', 401);
      await call(r.method, r.path, 'no token, malformed request', 401, undefined, true);
      for (const h of badHeaders) await call(r.method, r.path, `wrong credentials (${h.slice(0, 14)}…)`, 401, h);
      await call(r.method, r.path, 'wrong token, malformed request', 401, `Bearer ${wrongTokens[0]}`, true);
      if (isAdmin) {
        await call(r.method, r.path, 'API_TOKEN on an administrator route', 403, `Bearer ${apiToken}`);
        await call(
          r.method,
          r.path,
          'API_TOKEN on an administrator route, malformed request',
          403,
          `Bearer ${apiToken}`,
          true,
        );
      }
      // Controls that change nothing: a malformed request (or a GET) with the right token gets past
      // authentication and stops at validation or "not found".
      const safe = !['GET', 'HEAD'].includes(r.method);
      await call(r.method, r.path, 'ADMIN_TOKEN (control)', 'not-401-403', `Bearer ${adminToken}`, safe);
    }

    const bad = checks.filter((c) => {
      if (c.expect === 'not-401-403') return c.status === 401 || c.status === 403 || c.status >= 500;
      if (c.status !== c.expect) return true;
      if (c.method === 'HEAD') return false; // no body to look at
      const b = c.body as { error?: unknown; message?: unknown } | null;
      return !b || typeof b.error !== 'string' || typeof b.message !== 'string';
    });
    const grouped = new Map<string, Check[]>();
    for (const c of bad) {
      const key = `${c.what.replace(/\(.*\)/, '(…)')} → expected ${c.expect}`;
      grouped.set(key, [...(grouped.get(key) ?? []), c]);
    }
    for (const [key, list] of grouped) {
      const routesHit = [...new Set(list.map((c) => c.route))];
      const example = list[0]!;
      failures.push(
        `${key}, got ${[...new Set(list.map((c) => c.status))].join('/')} on ${routesHit.length} route(s): ${routesHit.join(', ')} — e.g. ${JSON.stringify(example.body).slice(0, 140)}`,
      );
    }

    // Constant time: the comparison goes through crypto.timingSafeEqual on equal-length digests.
    const auth = readFileSync(join(PROJECT_ROOT, 'src', 'routes', 'auth.ts'), 'utf8');
    const constantTime = {
      importsTimingSafeEqual: /import\s*{[^}]*\btimingSafeEqual\b[^}]*}\s*from\s*'node:crypto'/.test(auth),
      callsTimingSafeEqual: /timingSafeEqual\(/.test(auth),
      hashesToEqualLength: /createHash\('sha256'\)/.test(auth),
      noPlainComparisonOfTokens: !/(token|given|expected)\s*[!=]==\s*(tokens\.|expected|given|token)/i.test(auth),
      differentLengthsAnswered401:
        checks.filter((c) => c.what.includes('wrong credentials') && c.status === 401).length > 0,
    };
    for (const [k, v] of Object.entries(constantTime)) if (!v) failures.push(`constant-time check failed: ${k}`);

    return {
      scenario: 'api-auth',
      title: apiAuthScenario.title,
      sent: checks.length,
      expected: checks.filter((c) => c.expect !== 'not-401-403').length,
      stored: 0,
      lost: 0,
      duplicated: 0,
      wrong: bad.length,
      failures,
      details: {
        routes: [...new Set(api.map((r) => `${r.method} ${normalise(r.path)}`))],
        adminRoutes: [...ADMIN_ROUTES, `${ADMIN_PREFIX}*`],
        adminOnlyFoundByProbing: detectedAdmin,
        byStatus: checks.reduce<Record<string, number>>(
          (acc, c) => ((acc[c.status] = (acc[c.status] ?? 0) + 1), acc),
          {},
        ),
        constantTime,
      },
    };
  },
};

/** Builds the app in-process (same configuration as the ingress process) and lists its routes. */
async function enumerateRoutes(env: ReliabilityEnv): Promise<RouteEntry[]> {
  const config = loadConfig(
    {
      DATABASE_URL: env.databaseUrl,
      TEMPORAL_ADDRESS: env.temporal.address,
      DIALPAD_API_KEY: env.secrets.apiKey,
      DIALPAD_WEBHOOK_SECRET: env.secrets.webhookSecret,
      API_TOKEN: env.secrets.apiToken,
      ADMIN_TOKEN: env.secrets.adminToken,
      LOG_LEVEL: 'info',
    },
    'production',
  );
  const db = createKnex(env.databaseUrl, { max: 1 });
  const temporal = createTemporalClient(env.temporal.address, 'default');
  const stream = createWriteStream(join(env.logsDir, 'ingress-in-process.log'), { flags: 'a' });
  const { transport: _pretty, ...options } = loggerOptions('info', 'ingress');
  const app = await buildApp({ config, db, temporal, relay: { disabled: true }, logger: { ...options, stream } });
  try {
    await app.ready();
    return parsePrintedRoutes(app.printRoutes({ commonPrefix: false }));
  } finally {
    await app.close();
    await temporal.close();
    await db.destroy();
    stream.end();
  }
}
