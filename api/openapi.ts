/**
 * The OpenAPI 3.1 document. Every router documents its own routes beside them, from the zod schemas
 * it parses with and answers in; this only collects them into one registry and generates.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { BEARER, type DocumentPaths } from './http/index.js';

export function buildOpenApi(documenters: readonly DocumentPaths[]) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    description: 'Helpline or admin API key',
  });
  for (const document of documenters) document(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Helpline analytics API',
      version: '1.0.0',
      description:
        'Why children contact child helplines, from de-identified monthly statistics. Public reads come only from protected, frozen releases: small counts are withheld and cannot be recovered from what is published.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
  });
}
