import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document at /docs/json (from @fastify/swagger) and Swagger UI at /docs, using the
 * Swagger UI build shipped inside @fastify/swagger-ui.
 *
 * Why not register @fastify/swagger-ui itself: it serves its files through @fastify/static, which
 * loads the ES-module-only `content-disposition`; Node 20 loads it, but jest's CommonJS runtime
 * cannot, and every test that builds the app would fail. The five files below need no more.
 */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<title>Navigator ⇄ Dialpad API</title>
<link rel="stylesheet" type="text/css" href="/docs/static/swagger-ui.css" />
<link rel="stylesheet" type="text/css" href="/docs/static/index.css" />
<link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png" sizes="32x32" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js" charset="UTF-8"></script>
<script src="/docs/static/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
<script src="/docs/static/initializer.js" charset="UTF-8"></script>
</body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/docs/json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
};
`;

export async function docsRoutes(app: FastifyInstance): Promise<void> {
  const assetDir = join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
  const cache = new Map<string, Buffer>();
  const hide = { schema: { hide: true } };

  app.get('/docs', hide, async (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
  app.get('/docs/json', hide, async () => app.swagger());
  app.get('/docs/static/initializer.js', hide, async (_req, reply) =>
    reply.type('application/javascript; charset=utf-8').send(INITIALIZER),
  );
  app.get<{ Params: { file: string } }>('/docs/static/:file', hide, async (req, reply) => {
    const type = ASSETS[req.params.file];
    if (type === undefined) return reply.code(404).send({ error: 'not_found', message: 'no such file' });
    let body = cache.get(req.params.file);
    if (!body) {
      body = await readFile(join(assetDir, req.params.file));
      cache.set(req.params.file, body);
    }
    return reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
