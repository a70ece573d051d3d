// `npm run openapi`: writes docs/openapi.json from the API's zod schemas (lambdas/api/openapi/);
// GET /v1/openapi.json serves that file, and a test fails when it differs from a regeneration.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from '../lambdas/api/openapi/document.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(OPENAPI_FILE, renderOpenApi());
