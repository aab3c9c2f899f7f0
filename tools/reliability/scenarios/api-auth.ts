import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import { createKnex } from '../../../src/db/knex';
import { loggerOptions } from '../../../src/logger';
import { requireRole } from '../../../src/routes/auth';
import { createTemporalClient } from '../../../src/temporal/connection';
import type { ReliabilityEnv } from '../lib/env';
import type { Scenario } from '../lib/result';
import { timeGroups, timingVerdict } from '../lib/timing';
import { normalise, parsePrintedRoutes, type RouteEntry } from '../lib/routes';

/**
 * Scenario 7: every route of the app (enumerated from the app itself with printRoutes) must have a
 * declared policy (DECLARED_ROUTES). Every `/api` route is sent, at the real ingress process, no
 * token, wrong ones, and — for the administrator routes — API_TOKEN: 401 / 401 / 403 with a JSON
 * {error, message}, before the request's parameters or body are looked at (a malformed request
 * without a token is a 401 too, not a 400). Positive controls: API_TOKEN passes on the routes
 * declared for it, ADMIN_TOKEN everywhere, public routes answer without a token. And tokens are
 * compared in constant time, measured (lib/timing.ts): the real hook timed on wrong tokens sharing
 * a long prefix with the right one against tokens sharing none.
 */

/**
 * Every route of the app with the credential it requires. A route the app has that is not listed
 * here fails the scenario (a new route needs a declared policy), and so does a listed route the app
 * no longer has. HEAD follows its GET. `api`: API_TOKEN or ADMIN_TOKEN; `admin`: ADMIN_TOKEN only
 * (API_TOKEN is a 403); `public`: no token (probes, docs); `webhook`: Dialpad's signature, not a token.
 */
export type RoutePolicy = 'api' | 'admin' | 'public' | 'webhook';
export const DECLARED_ROUTES: Readonly<Record<string, RoutePolicy>> = {
  // Navigator's calls (src/routes/api)
  'GET /api/accounts/:p/calls': 'api',
  'POST /api/accounts/:p/calls': 'api',
  'GET /api/calls/:p': 'api',
  'PUT /api/calls/:p/link': 'api',
  'DELETE /api/calls/:p/link': 'api',
  'POST /api/calls/:p/match': 'api',
  'GET /api/customers/:p/communications': 'api',
  'GET /api/contacts/:p/communications': 'api',
  'GET /api/suppliers/:p/communications': 'api',
  'GET /api/accounts/:p/phone-numbers/unreadable': 'api',
  'POST /api/records/phone-numbers/changed': 'api',
  // Administrator actions (src/routes/admin/)
  'PUT /api/accounts/:p/dialpad-office': 'admin',
  'DELETE /api/accounts/:p/dialpad-office': 'admin',
  'POST /api/accounts/:p/sync/:p': 'admin',
  'GET /api/admin/doctor': 'admin',
  'GET /api/admin/dialpad/webhooks': 'admin',
  'POST /api/admin/dialpad/webhooks': 'admin',
  'POST /api/admin/dialpad/webhooks/unregister': 'admin',
  'DELETE /api/admin/dialpad/webhooks/:p': 'admin',
  'DELETE /api/admin/dialpad/subscriptions/:p': 'admin',
  'POST /api/admin/backfills': 'admin',
  'GET /api/admin/backfills/:p': 'admin',
  'GET /api/admin/dead-letters': 'admin',
  'POST /api/admin/replays': 'admin',
  'GET /api/admin/accounts/:p/schedules': 'admin',
  'POST /api/admin/accounts/:p/schedules/:p/:p': 'admin',
  // Not behind a token
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /docs': 'public',
  'GET /docs/json': 'public',
  'GET /docs/static/initializer.js': 'public',
  'GET /docs/static/:p': 'public',
  'POST /webhooks/dialpad': 'webhook',
};

/** The declared policy of a route (HEAD follows GET); undefined when it has none. */
export function declaredPolicy(method: string, path: string): RoutePolicy | undefined {
  const p = normalise(path);
  return DECLARED_ROUTES[`${method} ${p}`] ?? (method === 'HEAD' ? DECLARED_ROUTES[`GET ${p}`] : undefined);
}

/** Routes of the app without a declared policy, and declared routes the app does not have. */
export function routePolicyGaps(routes: readonly RouteEntry[]): { undeclared: string[]; missing: string[] } {
  const names = new Set(routes.map((r) => `${r.method} ${normalise(r.path)}`));
  return {
    undeclared: [...names].filter((n) => {
      const [method, path] = n.split(' ') as [string, string];
      return declaredPolicy(method, path) === undefined;
    }),
    missing: Object.keys(DECLARED_ROUTES).filter((n) => !names.has(n)),
  };
}

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
    const gaps = routePolicyGaps(routes);
    if (gaps.undeclared.length)
      failures.push(
        `route(s) without a declared policy (add them to DECLARED_ROUTES in tools/reliability/scenarios/api-auth.ts): ${gaps.undeclared.join(', ')}`,
      );
    if (gaps.missing.length)
      failures.push(`declared route(s) the app does not have (remove them from the list): ${gaps.missing.join(', ')}`);
    for (const r of routes.filter((x) => !x.path.startsWith('/api'))) {
      const policy = declaredPolicy(r.method, r.path);
      if (policy === 'api' || policy === 'admin')
        failures.push(
          `${r.method} ${normalise(r.path)} is declared ${policy} but is outside /api, which the token hook guards`,
        );
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

    for (const r of api) {
      const policy = declaredPolicy(r.method, r.path);
      if (policy !== 'api' && policy !== 'admin') continue; // reported above
      const isAdmin = policy === 'admin';
      if (!isAdmin) {
        // Declared for API_TOKEN: it must get past authentication (a malformed request stops at validation).
        await call(
          r.method,
          r.path,
          'API_TOKEN on a route declared for it',
          'not-401-403',
          `Bearer ${apiToken}`,
          !['GET', 'HEAD'].includes(r.method),
        );
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

    // Routes declared public answer without a token (GET and HEAD only: nothing to change).
    for (const r of routes.filter((x) => declaredPolicy(x.method, x.path) === 'public'))
      await call(r.method, r.path.replace(/:[A-Za-z0-9_]+/g, 'x'), 'public route without a token', 'not-401-403');

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

    // Constant time, by behaviour (lib/timing.ts has the method): the real hook (src/routes/auth.ts
    // requireRole, which compares with its helper) timed on wrong tokens sharing all but one
    // character with the right one against tokens sharing none; long tokens (4 KiB) so that a
    // character-by-character comparison would show. Positive control: a leaky early-exit compare
    // timed the same way must be found leaky.
    const constantTime = await timeTokenComparison();
    if (!constantTime.control.leakFound)
      failures.push(
        `constant-time check proves nothing: the leaky control was not told apart (${(constantTime.control.relDiff * 100).toFixed(1)}% ≤ ${(constantTime.control.threshold * 100).toFixed(1)}%)`,
      );
    if (!constantTime.hook.withinNoise)
      failures.push(
        `token comparison time depends on the shared prefix: medians ${constantTime.hook.prefix.medianNsPerCall} vs ${constantTime.hook.none.medianNsPerCall} ns per call (${(constantTime.hook.relDiff * 100).toFixed(1)}% > noise ${(constantTime.hook.threshold * 100).toFixed(1)}%)`,
      );
    env.note(
      `  constant time: prefix ${constantTime.hook.prefix.medianNsPerCall} vs none ${constantTime.hook.none.medianNsPerCall} ns/call (${(constantTime.hook.relDiff * 100).toFixed(2)}%, noise threshold ${(constantTime.hook.threshold * 100).toFixed(2)}%); leaky control ${(constantTime.control.relDiff * 100).toFixed(0)}%`,
    );
    if (checks.filter((c) => c.what.includes('wrong credentials') && c.status === 401).length === 0)
      failures.push('no wrong token of another length was refused with 401');

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
        routes: [...new Set(routes.map((r) => `${r.method} ${normalise(r.path)}`))].map(
          (n) => `${n} (${declaredPolicy(n.split(' ')[0]!, n.split(' ')[1]!) ?? 'UNDECLARED'})`,
        ),
        undeclaredRoutes: gaps.undeclared,
        declaredButMissing: gaps.missing,
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
  const temporal = createTemporalClient({ address: env.temporal.address, namespace: 'default' });
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

/** The real hook, called directly (no HTTP), on 4 KiB tokens; and a leaky compare as the control. */
async function timeTokenComparison() {
  const size = 4096;
  const token = () => randomBytes(size).toString('base64url').slice(0, size);
  const right = token();
  const admin = token();
  const hook = requireRole('api', { apiToken: right, adminToken: admin });
  const reply = {
    code: () => reply,
    header: () => reply,
    send: () => reply,
  } as unknown as FastifyReply;
  const lastChanged = (t: string) => t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A');
  const firstChanged = (t: string) => (t.startsWith('A') ? 'B' : 'A') + t.slice(1);
  const tokens = {
    // All but the last character shared with the right token.
    prefix: Array.from({ length: 8 }, () => lastChanged(right)),
    // Nothing shared: the first character differs (and the rest is random).
    none: Array.from({ length: 8 }, () => firstChanged(token())),
    none2: Array.from({ length: 8 }, () => firstChanged(token())),
  };
  const request = (t: string) => ({ headers: { authorization: `Bearer ${t}` } }) as unknown as FastifyRequest;
  const prepared = {
    prefix: tokens.prefix.map(request),
    none: tokens.none.map(request),
    none2: tokens.none2.map(request),
  };
  // Requests are prepared ahead, so only the hook is timed.
  const byToken = new Map<string, FastifyRequest>();
  for (const k of ['prefix', 'none', 'none2'] as const) tokens[k].forEach((t, i) => byToken.set(t, prepared[k][i]!));
  const opts = { rounds: 150, batch: 40, warmup: 15 };
  // Timing on a shared machine has outliers (a CI run under load once measured 6.7 % against a 5 % floor
  // with timingSafeEqual): the hook is measured up to three times and judged by the majority. A real
  // leak is not hidden by this: the early-exit control below differs by thousands of percent.
  const measurements: Array<ReturnType<typeof timingVerdict>> = [];
  for (let i = 0; i < 3; i++) {
    const times = await timeGroups((t) => hook.call(undefined as never, byToken.get(t)!, reply), tokens, opts);
    measurements.push(timingVerdict(times, { batch: opts.batch }));
    const within = measurements.filter((v) => v.withinNoise).length;
    if (within >= 2 || measurements.length - within >= 2) break;
  }
  const withinNoise = measurements.filter((v) => v.withinNoise).length >= 2;
  const hookVerdict = {
    ...measurements.filter((v) => v.withinNoise === withinNoise).at(-1)!,
    withinNoise,
    measuredRelDiffs: measurements.map((v) => v.relDiff),
  };

  // Positive control: an early-exit comparison over the same strings.
  const leaky = (given: string) => {
    if (given.length !== right.length) return false;
    for (let i = 0; i < given.length; i++) if (given.charCodeAt(i) !== right.charCodeAt(i)) return false;
    return true;
  };
  const controlVerdict = timingVerdict(await timeGroups(leaky, tokens, { rounds: 60, batch: 40, warmup: 10 }), {
    batch: 40,
  });
  return {
    method:
      'median ns/call over rounds of 40 calls per group, groups rotated each round; pass when |prefix − none| / none ≤ max(5%, 3 × |none2 − none| / none) in two of up to three measurements',
    tokenBytes: size,
    hook: hookVerdict,
    control: { ...controlVerdict, leakFound: !controlVerdict.withinNoise && controlVerdict.relDiff > 0.5 },
  };
}
