import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app';
import { requireRole } from '../auth';
import { callRoutes } from './calls';
import { docsRoutes } from './docs';
import { recordRoutes } from './records';
import { addApiSchemas } from './schemas';

/**
 * Navigator's API under /api (bearer API_TOKEN; the administrator token works too) and its
 * OpenAPI document at /docs (JSON at /docs/json).
 *
 * Registered as one encapsulated plugin, so the document lists the routes declared inside it, and
 * its schemas stay out of the webhook's and the administrator's scopes. Errors are answered by the
 * application's one handler (src/routes/errors.ts).
 */
export async function apiRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Navigator ⇄ Dialpad',
        description:
          'Calls from Dialpad (or logged by hand) matched to Navigator customers, contacts and suppliers, and ' +
          "their communication history. Errors are `{ error, message, field? }`; a validation message starts with the field's name.",
        version: '1',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API_TOKEN (or ADMIN_TOKEN)' },
        },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'calls', description: 'Calls and manual logging' },
        { name: 'linking', description: 'Linking calls to records' },
        { name: 'history', description: 'Communication history of a record' },
      ],
    },
    // Keep the shared schemas' own names in the document instead of def-0, def-1 ….
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await docsRoutes(app);

  addApiSchemas(app);

  await app.register(async (api) => {
    // onRequest, so an unauthenticated request is a 401 before its body or parameters are looked at.
    api.addHook(
      'onRequest',
      requireRole('api', { apiToken: deps.config.apiToken, adminToken: deps.config.adminToken }),
    );
    await callRoutes(api, deps);
    await recordRoutes(api, deps);
  });
}
