/**
 * The API's OpenAPI 3.1 document, generated from the same zod schemas the routes validate with
 * (zod 4's JSON Schema output is JSON Schema 2020-12, OpenAPI 3.1's dialect). `npm run openapi`
 * writes it to docs/openapi.json, which GET /v1/openapi.json serves; test/unit/api/openapi.test.ts
 * fails when the routes, the schemas or the committed document drift apart.
 */
import {
  createForkBodySchema,
  patchForkBodySchema,
  refreshForkBodySchema,
  sourceRefSchema,
} from '../../core/fork.js';
import * as z from '../../core/zod.js';
import { IDEMPOTENCY_HEADER } from '../idempotency.js';
import { listForksQuerySchema } from '../routes/list-forks.js';
import { forkRefParamsSchema } from '../routes/shared.js';
import {
  backupsSchema,
  errorSchema,
  forkListSchema,
  forkSchema,
  poolListSchema,
  sourceListSchema,
} from './response-schemas.js';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
  }) as JsonSchema;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, example?: unknown) => ({
  'application/json': { schema, ...(example === undefined ? {} : { example }) },
});

const EXAMPLE_FORK = {
  id: 'fork-1a2b3c4d5e6f',
  name: 'pr-1234',
  source: {
    id: 'orders-prod',
    arn: 'arn:aws:rds:eu-west-1:123456789012:db:orders-prod',
    engine: 'postgres',
    kind: 'rds-instance',
  },
  restore: {
    requested: { type: 'latest-backup' },
    resolved: { snapshotId: 'rds:orders-prod-2026-11-30-03-10' },
  },
  overrides: {},
  status: 'ready',
  step: 'ready',
  progress: 100,
  owner: 'arn:aws:iam::123456789012:role/ci-dbfork',
  createdAt: '2026-11-30T10:00:00.000Z',
  updatedAt: '2026-11-30T10:14:12.000Z',
  readyAt: '2026-11-30T10:14:12.000Z',
  expiresAt: '2026-12-01T10:00:00.000Z',
  expiryWarningAt: '2026-12-01T09:00:00.000Z',
  endpoint: { host: 'fork-1a2b3c4d5e6f.cxyz.eu-west-1.rds.amazonaws.com', port: 5432 },
  dnsName: 'pr-1234.forks.example.internal',
  secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:dbfork/fork-1a2b3c4d5e6f-AbCdEf',
  tags: { pr: '1234' },
  history: [{ at: '2026-11-30T10:14:12.000Z', step: 'ready', status: 'ready', message: 'fork is ready' }],
  databaseId: 'fork-1a2b3c4d5e6f',
  lineage: { sourceId: 'orders-prod', snapshotId: 'rds:orders-prod-2026-11-30-03-10', refreshes: [] },
};

const ERRORS = {
  '400': 'Invalid request: the message and `details` name each problem',
  '403': 'Not allowed: the source is not allow-listed, or the fork is not yours',
  '404': 'No such fork or source',
  '409': 'Conflict: the name is taken, or the fork cannot do that in its state',
  '429': 'A quota is reached (live forks per owner or per source)',
  '503': 'AWS throttled or failed; retry',
} as const;

function errors(...codes: (keyof typeof ERRORS)[]) {
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERRORS[code], content: json(ref('Error')) }]),
  );
}

const forkIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A fork id (fork-…) or the name of a live fork',
  schema: jsonSchema(forkRefParamsSchema.shape.id, 'input'),
};

function queryParameters(schema: typeof listForksQuerySchema) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'query',
    required: false,
    schema: jsonSchema(field as z.ZodMiniType, 'input'),
  }));
}

/** Every operation: [method, path] → the OpenAPI operation. */
export const OPERATIONS: Readonly<Record<string, Record<string, unknown>>> = {
  'POST /v1/forks': {
    operationId: 'createFork',
    summary: 'Fork a database',
    description:
      'Validates the request against the source, its engine and what AWS orders, records the fork and starts its workflow. Follow `status` with GET /v1/forks/{id}.',
    parameters: [
      {
        name: IDEMPOTENCY_HEADER,
        in: 'header',
        required: false,
        description: 'The same key with the same body answers the same fork instead of making another',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
    ],
    requestBody: {
      required: true,
      content: json(ref('CreateForkBody'), {
        source: 'orders-prod',
        name: 'pr-1234',
        restore: { type: 'latest-backup' },
        ttlHours: 24,
        tags: { pr: '1234' },
      }),
    },
    responses: {
      '202': {
        description: 'Accepted: the fork is being created',
        content: json(ref('Fork'), {
          ...EXAMPLE_FORK,
          status: 'creating',
          step: 'resolving-source',
          progress: 5,
        }),
      },
      ...errors('400', '403', '404', '409', '429', '503'),
    },
  },
  'GET /v1/forks': {
    operationId: 'listForks',
    summary: 'List forks, newest first',
    parameters: queryParameters(listForksQuerySchema),
    responses: {
      '200': { description: 'A page of forks', content: json(ref('ForkList')) },
      ...errors('400', '503'),
    },
  },
  'GET /v1/forks/{id}': {
    operationId: 'getFork',
    summary: 'Show a fork',
    parameters: [forkIdParam],
    responses: {
      '200': { description: 'The fork', content: json(ref('Fork'), EXAMPLE_FORK) },
      ...errors('400', '404'),
    },
  },
  'PATCH /v1/forks/{id}': {
    operationId: 'extendFork',
    summary: "Change a fork's expiry and/or its recurring refresh",
    description:
      'Give one of `ttlHours`, `ttlMinutes` or `expiresAt` to move the expiry, and/or `refreshSchedule` (an EventBridge Scheduler cron expression, UTC, e.g. `cron(0 3 * * ? *)`; `null` removes it) to refresh the fork on a schedule.',
    parameters: [forkIdParam],
    requestBody: { required: true, content: json(ref('PatchForkBody'), { ttlHours: 48 }) },
    responses: {
      '200': { description: 'The fork with its new expiry', content: json(ref('Fork')) },
      ...errors('400', '403', '404', '409', '503'),
    },
  },
  'DELETE /v1/forks/{id}': {
    operationId: 'deleteFork',
    summary: 'Delete a fork',
    description:
      'Starts the delete workflow; the fork is `deleting`, then `deleted` with nothing left behind.',
    parameters: [forkIdParam],
    responses: {
      '200': { description: 'The fork was already deleted', content: json(ref('Fork')) },
      '202': { description: 'Accepted: the fork is being deleted', content: json(ref('Fork')) },
      ...errors('400', '403', '404', '409', '503'),
    },
  },
  'POST /v1/forks/{id}/refresh': {
    operationId: 'refreshFork',
    summary: 'Refresh a fork from a newer backup',
    description:
      "Builds a new database from the latest backup (or `restore`); once it is ready it takes over the fork's name, DNS name, secret ARN and expiry (or the `ttlHours`/`ttlMinutes` given, from then on): the secret gets the new database's endpoint and credentials and the CNAME points at it, then the old database is deleted. The fork stays `ready` throughout; follow `refresh.state` (running → switching → retiring → succeeded) with GET /v1/forks/{id}. A refresh that fails removes its new database and leaves the fork as it was (`refresh.state` failed, `Fork Refresh Failed`). The body is optional.",
    parameters: [forkIdParam],
    requestBody: {
      required: false,
      content: json(ref('RefreshForkBody'), { restore: { type: 'latest-backup' } }),
    },
    responses: {
      '202': {
        description: 'Accepted: the new database is being built; the fork keeps serving from its current one',
        content: json(ref('Fork')),
      },
      ...errors('400', '403', '404', '409', '503'),
    },
  },
  'GET /v1/sources': {
    operationId: 'listSources',
    summary: 'The databases dbfork sees, and whether each may be forked',
    responses: { '200': { description: 'Every source', content: json(ref('SourceList')) }, ...errors('503') },
  },
  'GET /v1/sources/{id}/backups': {
    operationId: 'listBackups',
    summary: "A source's snapshots, newest first, and its restorable window",
    parameters: [
      {
        name: 'id',
        in: 'path',
        required: true,
        description: 'A DB instance or cluster identifier, or its ARN',
        schema: jsonSchema(sourceRefSchema, 'input'),
      },
    ],
    responses: {
      '200': { description: 'The backups', content: json(ref('Backups')) },
      ...errors('400', '403', '404', '503'),
    },
  },
  'GET /v1/pools': {
    operationId: 'listPools',
    summary: 'Warm pools: what each holds now, and what keeps running',
    description:
      "Every configured pool, then any pool no longer configured whose members are still being drained (`configured: false`, `size: 0`). A create from a source's latest backup, with no overrides other than the pool's, takes a `ready` member. `cost` names the drivers of the bill (how many databases of which class run all the time); dbfork knows no prices.",
    responses: {
      '200': {
        description: 'Every pool',
        content: json(ref('PoolList'), {
          pools: [
            {
              source: 'orders-prod',
              configured: true,
              size: 2,
              ready: 2,
              warming: 0,
              leaving: 0,
              oldestMemberAgeMinutes: 95,
              maxAgeHours: 24,
              instanceClass: 'db.t4g.medium',
              cost: {
                instanceClass: 'db.t4g.medium',
                members: 2,
                description: '2 × db.t4g.medium running all the time, plus their storage',
              },
            },
          ],
        }),
      },
      ...errors('400', '503'),
    },
  },
  'GET /v1/openapi.json': {
    operationId: 'getOpenApi',
    summary: 'This document',
    responses: {
      '200': { description: 'The OpenAPI 3.1 document of the API', content: { 'application/json': {} } },
    },
  },
};

export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [route, operation] of Object.entries(OPERATIONS)) {
    const [method = '', path = ''] = route.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'dbfork',
      version: '1.0.0',
      description:
        'Per-request forks of RDS instances, Aurora clusters and DocumentDB clusters: independent, writable copies with their own credentials, DNS name and expiry.',
    },
    servers: [
      {
        url: 'https://{api}.execute-api.{region}.amazonaws.com/prod',
        description: 'The ApiUrl output of the DbFork stack',
        variables: { api: { default: 'abc123' }, region: { default: 'eu-west-1' } },
      },
    ],
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'AWS Signature Version 4 for execute-api (the CLI and the Action sign with your AWS credentials)',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: {
        CreateForkBody: jsonSchema(createForkBodySchema, 'input'),
        PatchForkBody: jsonSchema(patchForkBodySchema, 'input'),
        RefreshForkBody: jsonSchema(refreshForkBodySchema, 'input'),
        Fork: jsonSchema(forkSchema, 'output'),
        ForkList: jsonSchema(forkListSchema, 'output'),
        SourceList: jsonSchema(sourceListSchema, 'output'),
        Backups: jsonSchema(backupsSchema, 'output'),
        PoolList: jsonSchema(poolListSchema, 'output'),
        Error: jsonSchema(errorSchema, 'output'),
      },
    },
  };
}
