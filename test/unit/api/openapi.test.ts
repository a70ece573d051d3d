import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../lambdas/api/openapi/document.js';
import { forkSchema } from '../../../lambdas/api/openapi/response-schemas.js';
import { ROUTES } from '../../../lambdas/api/routes.js';
import { createForkBodySchema, patchForkBodySchema } from '../../../lambdas/core/fork.js';
import { API_ROUTES } from '../../../lib/api.construct.js';
import { OPENAPI_FILE, renderOpenApi } from '../../../scripts/openapi.js';
import { apiHarness, bodyOf } from './support.js';

const committed = readFileSync(OPENAPI_FILE, 'utf8');
const document = JSON.parse(committed) as {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>;
};

describe('the OpenAPI document (docs/openapi.json)', () => {
  it('is what the schemas and routes generate now (npm run openapi)', () => {
    expect(committed, 'run npm run openapi').toBe(renderOpenApi());
    expect(document.openapi).toBe('3.1.0');
  });

  it('describes exactly the routes the API serves and the stack exposes', () => {
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(documented).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
    expect(documented).toEqual(API_ROUTES.map(([method, path]) => `${method} ${path}`).sort());
    expect(Object.keys(OPERATIONS).sort()).toEqual(documented);
  });

  it('has examples the API accepts and sends', () => {
    const example = (method: string, path: string) =>
      document.paths[path]?.[method]?.requestBody?.content['application/json']?.example;
    expect(createForkBodySchema.safeParse(example('post', '/v1/forks')).success).toBe(true);
    expect(patchForkBodySchema.safeParse(example('patch', '/v1/forks/{id}')).success).toBe(true);
    const getFork = OPERATIONS['GET /v1/forks/{id}'] as {
      responses: { '200': { content: { 'application/json': { example: unknown } } } };
    };
    const forkExample = getFork.responses['200'].content['application/json'].example;
    expect(forkSchema.safeParse(forkExample).success).toBe(true);
  });

  it('is served at GET /v1/openapi.json', async () => {
    const h = apiHarness();

    const result = await h.call('GET', '/v1/openapi.json');

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual(document);
    expect(fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url))).toBe(OPENAPI_FILE);
  });
});
