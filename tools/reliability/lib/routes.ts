/** The routes of a Fastify app, from its own `printRoutes` (so new routes are covered without a list). */
export interface RouteEntry {
  method: string;
  path: string;
}

/** Parses `app.printRoutes({ commonPrefix: false })` into method + full path. */
export function parsePrintedRoutes(tree: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:│ {3}| {4})*)(?:├── |└── )(\S+?)(?: \(([A-Z, ]+)\))?$/.exec(line.trimEnd());
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack[depth] = path;
    for (const method of (m[3] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      out.push({ method, path });
  }
  return out;
}

/** `:id|:accountId` and other parameters → `:p`, so routes compare whatever their parameters are named. */
export const normalise = (path: string) => path.replace(/:[A-Za-z0-9_]+(?:\|:[A-Za-z0-9_]+)*/g, ':p');
