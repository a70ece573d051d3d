/** Events, stubs and a harness for the HTTP API tests. */
import {
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  ListTagsForResourceCommand,
  type OrderableDBInstanceOption,
} from '@aws-sdk/client-rds';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { expect } from 'vitest';
import type { Api } from '../../../lambdas/api/api.js';
import { createApi } from '../../../lambdas/api/routes.js';
import type { EngineStrategy } from '../../../lambdas/core/engines/engine.js';
import type { EngineKind, ForkRecord, RestoreRequest } from '../../../lambdas/core/fork.js';
import {
  type ClientMocks,
  type MockedRuntime,
  mockedRuntime,
  TEST_ACCOUNT,
  type TestRuntimeOptions,
} from '../../support/runtime.js';
import { clusterNotFound, clusterSnapshotNotFound } from '../core/cluster-fixtures.js';
import { instanceNotFound, SOURCE_ID, snapshotNotFound } from '../core/fixtures.js';

export const CALLER = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/developer/alice`;
export const OTHER_CALLER = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/developer/bob`;
export const ADMIN_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/platform/dbfork-admin`;
export const ADMIN_CALLER = `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/dbfork-admin/carol`;
export const REQUEST_ID = 'req-0001';

export interface RequestOptions {
  /** Serialised as JSON unless a string. */
  body?: unknown;
  base64?: boolean;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** `null` = no IAM identity at all. @default CALLER */
  caller?: string | null;
}

/** An API Gateway REST proxy event as AWS_IAM auth delivers it. */
export function apiEvent(method: string, path: string, options: RequestOptions = {}): APIGatewayProxyEvent {
  const caller = options.caller === undefined ? CALLER : options.caller;
  const raw =
    options.body === undefined
      ? null
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const body = raw !== null && options.base64 ? Buffer.from(raw, 'utf8').toString('base64') : raw;
  const query = options.query ?? {};
  const multi = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  const single = Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1)]));
  const headers = { 'Content-Type': 'application/json', ...options.headers };
  return {
    body,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    httpMethod: method,
    isBase64Encoded: Boolean(options.base64),
    path,
    pathParameters: null,
    queryStringParameters: Object.keys(single).length ? single : null,
    multiValueQueryStringParameters: Object.keys(multi).length ? multi : null,
    stageVariables: null,
    resource: '/{proxy+}',
    requestContext: {
      accountId: TEST_ACCOUNT,
      apiId: 'api0001',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      path: `/prod${path}`,
      stage: 'prod',
      requestId: REQUEST_ID,
      requestTimeEpoch: 0,
      resourceId: 'res001',
      resourcePath: '/{proxy+}',
      identity: {
        accessKey: null,
        accountId: caller ? TEST_ACCOUNT : null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '10.0.0.1',
        user: null,
        userAgent: 'dbfork-cli/0.1.0',
        userArn: caller,
      },
    },
  };
}

export interface ErrorJson {
  error: { code: string; message: string; details: Record<string, unknown>[] };
}

export function bodyOf<T = Record<string, unknown>>(result: APIGatewayProxyResult): T {
  return JSON.parse(result.body) as T;
}

/** Asserts the response is the API's error object with this status and code; returns it. */
export function expectError(
  result: APIGatewayProxyResult,
  statusCode: number,
  code: string,
): ErrorJson['error'] {
  const body = bodyOf<ErrorJson>(result);
  expect({ statusCode: result.statusCode, code: body.error.code }).toEqual({ statusCode, code });
  expect(result.headers?.['content-type']).toBe('application/json');
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error)).toEqual(['code', 'message', 'details']);
  return body.error;
}

export interface ApiHarness extends MockedRuntime {
  api: Api;
  call(method: string, path: string, options?: RequestOptions): Promise<APIGatewayProxyResult>;
}

export function apiHarness(options: TestRuntimeOptions = {}): ApiHarness {
  const runtime = mockedRuntime(options);
  const api = createApi(runtime.rt);
  return { ...runtime, api, call: (method, path, request) => api(apiEvent(method, path, request)) };
}

interface DescribeInstancesInput {
  DBInstanceIdentifier?: string;
  Filters?: { Name?: string; Values?: string[] }[];
}

/** DescribeDBInstances over these instances: by identifier, by `db-cluster-id` filter, or all. */
function describeInstances(instances: DBInstance[]) {
  return (input: DescribeInstancesInput) => {
    if (input.DBInstanceIdentifier !== undefined) {
      const found = instances.find((db) => db.DBInstanceIdentifier === input.DBInstanceIdentifier);
      if (!found) throw instanceNotFound(input.DBInstanceIdentifier);
      return { DBInstances: [found] };
    }
    const clusterIds = input.Filters?.find((f) => f.Name === 'db-cluster-id')?.Values;
    return {
      DBInstances: clusterIds
        ? instances.filter((db) => clusterIds.includes(db.DBClusterIdentifier ?? ''))
        : instances,
    };
  };
}

/**
 * RDS as the tests see it: these instances and snapshots exist, nothing else does (no Aurora or
 * DocumentDB cluster either, unless `givenClusters` adds some).
 */
export function givenRds(mocks: ClientMocks, instances: DBInstance[], snapshots: DBSnapshot[] = []): void {
  mocks.rds.on(DescribeDBInstancesCommand).callsFake(describeInstances(instances));
  mocks.rds
    .on(DescribeDBInstanceAutomatedBackupsCommand)
    .callsFake((input: { DBInstanceIdentifier?: string }) => ({
      DBInstanceAutomatedBackups: [
        {
          DBInstanceIdentifier: input.DBInstanceIdentifier,
          RestoreWindow: { EarliestTime: new Date('2026-11-13T04:00:00Z') },
        },
      ],
    }));
  mocks.rds
    .on(DescribeDBSnapshotsCommand)
    .callsFake((input: { DBSnapshotIdentifier?: string; DBInstanceIdentifier?: string }) => {
      if (input.DBSnapshotIdentifier !== undefined) {
        const found = snapshots.find((s) => s.DBSnapshotIdentifier === input.DBSnapshotIdentifier);
        if (!found) throw snapshotNotFound(input.DBSnapshotIdentifier);
        return { DBSnapshots: [found] };
      }
      return {
        DBSnapshots: snapshots.filter(
          (s) => s.DBInstanceIdentifier === (input.DBInstanceIdentifier ?? SOURCE_ID),
        ),
      };
    });
  givenClusters(mocks, []);
}

/**
 * Aurora and DocumentDB clusters and their snapshots, seen through the RDS API (DocumentDB's API is
 * the RDS API) as AWS shows them: every cluster unless filtered by engine; DocumentDB answers tags
 * only through ListTagsForResource.
 */
export function givenClusters(
  mocks: ClientMocks,
  clusters: DBCluster[],
  snapshots: DBClusterSnapshot[] = [],
): void {
  const describeClusters = (input: {
    DBClusterIdentifier?: string;
    Filters?: { Name?: string; Values?: string[] }[];
  }) => {
    if (input.DBClusterIdentifier !== undefined) {
      const found = clusters.find((c) => c.DBClusterIdentifier === input.DBClusterIdentifier);
      if (!found) throw clusterNotFound(input.DBClusterIdentifier);
      return { DBClusters: [found] };
    }
    const engines = input.Filters?.find((f) => f.Name === 'engine')?.Values;
    return { DBClusters: clusters.filter((c) => !engines || engines.includes(c.Engine ?? '')) };
  };
  const describeSnapshots = (input: {
    DBClusterSnapshotIdentifier?: string;
    DBClusterIdentifier?: string;
  }) => {
    if (input.DBClusterSnapshotIdentifier !== undefined) {
      const found = snapshots.find(
        (s) => s.DBClusterSnapshotIdentifier === input.DBClusterSnapshotIdentifier,
      );
      if (!found) throw clusterSnapshotNotFound(input.DBClusterSnapshotIdentifier);
      return { DBClusterSnapshots: [found] };
    }
    return {
      DBClusterSnapshots: snapshots.filter((s) => s.DBClusterIdentifier === input.DBClusterIdentifier),
    };
  };
  mocks.rds.on(DescribeDBClustersCommand).callsFake(describeClusters);
  mocks.rds.on(DescribeDBClusterSnapshotsCommand).callsFake(describeSnapshots);
  mocks.rds.on(ListTagsForResourceCommand).callsFake((input: { ResourceName?: string }) => {
    const tagged = [
      ...clusters.map((c) => [c.DBClusterArn, c.TagList] as const),
      ...snapshots.map((s) => [s.DBClusterSnapshotArn, s.TagList] as const),
    ];
    return { TagList: tagged.find(([arn]) => arn === input.ResourceName)?.[1] ?? [] };
  });
}

/**
 * DescribeOrderableDBInstanceOptions (RDS, Aurora and DocumentDB engines) over these rows, filtered by Engine and
 * EngineVersion as AWS does, `pageSize` rows a page with a Marker to the next.
 */
export function givenOrderable(mocks: ClientMocks, rows: OrderableDBInstanceOption[], pageSize = 1000): void {
  const answer = (input: { Engine?: string; EngineVersion?: string; Marker?: string }) => {
    const matching = rows.filter(
      (r) =>
        r.Engine === input.Engine &&
        (input.EngineVersion === undefined || r.EngineVersion === input.EngineVersion),
    );
    const start = Number(input.Marker ?? 0);
    const end = start + pageSize;
    return {
      OrderableDBInstanceOptions: matching.slice(start, end),
      ...(end < matching.length ? { Marker: String(end) } : {}),
    };
  };
  mocks.rds.on(DescribeOrderableDBInstanceOptionsCommand).callsFake(answer);
}

/** Rows of one engine version: each class once per storage type. */
export function orderableRows(
  engine: string,
  engineVersion: string,
  classes: string[],
  storage: Partial<OrderableDBInstanceOption>[] = [{}],
): OrderableDBInstanceOption[] {
  return classes.flatMap((DBInstanceClass) =>
    storage.map((s) => ({ Engine: engine, EngineVersion: engineVersion, DBInstanceClass, ...s })),
  );
}

const forkKey = (id: string) => ({ pk: `FORK#${id}`, sk: 'FORK' });

/**
 * The store's reads of one fork: `versions` answer its consecutive GetItems (the last one repeats), e.g.
 * [as found, as after the update]. Its name guard points at it too.
 */
export function givenFork(mocks: ClientMocks, ...versions: ForkRecord[]): void {
  const dynamo = mocks.dynamo;
  const [first] = versions;
  if (!dynamo || !first) throw new Error('givenFork needs a mocked DynamoDB and at least one record');
  let stub = dynamo.on(GetCommand, { Key: forkKey(first.id) });
  for (const version of versions.slice(0, -1))
    stub = stub.resolvesOnce({ Item: { ...forkKey(version.id), ...version } });
  const last = versions.at(-1) ?? first;
  stub.resolves({ Item: { ...forkKey(last.id), ...last } });
  dynamo
    .on(GetCommand, { Key: { pk: `NAME#${first.name}`, sk: 'NAME' } })
    .resolves({ Item: { forkId: first.id } });
}

/**
 * Fork record updates succeed; the one that records an expiry's warning (ReturnValues ALL_NEW)
 * answers with `after`, the record as it stands then, plus the warning time it wrote.
 */
export function givenUpdatesSucceed(mocks: ClientMocks, after: ForkRecord): void {
  mocks.dynamo
    ?.on(UpdateCommand)
    .callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
      const warningAt = input.ExpressionAttributeValues?.[':warningAt'];
      return typeof warningAt === 'string'
        ? { Attributes: { ...forkKey(after.id), ...after, expiryWarningAt: warningAt } }
        : {};
    });
}

export function givenNoFork(mocks: ClientMocks): void {
  mocks.dynamo?.on(GetCommand).resolves({});
}

/** A cluster engine that only declares what it supports (no cluster exists): for "which engines support X". */
export function declaredEngine(
  kind: EngineKind,
  supportedRestores: RestoreRequest['type'][],
): EngineStrategy {
  const none = async () => undefined;
  const fail = async (): Promise<never> => {
    throw new Error(`${kind} stub: not used by the API`);
  };
  return {
    kind,
    supportedRestores,
    describeSource: none,
    listSources: async () => [],
    listBackups: async () => [],
    describeSnapshot: none,
    createSnapshot: fail,
    deleteSnapshot: fail,
    restore: fail,
    createInstances: fail,
    isAvailable: () => false,
    describeFork: none,
    setMasterPassword: fail,
    deleteFork: fail,
    retag: fail,
  };
}

/** Every record update the store sent, alone or inside a transaction (where it sits is the store's business). */
export function updatesOf(mocks: ClientMocks): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const call of mocks.dynamo?.calls() ?? []) {
    const command = call.args[0];
    if (command instanceof UpdateCommand) out.push({ ...command.input });
    if (command instanceof TransactWriteCommand) {
      for (const item of command.input.TransactItems ?? []) if (item.Update) out.push({ ...item.Update });
    }
  }
  return out;
}
