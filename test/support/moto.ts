/**
 * Helpers for tests of the `moto` project (files under test/workflow, test/e2e, and any
 * `*.moto.test.ts`), which share one moto server started by moto-global-setup.ts.
 *
 *   beforeEach(resetMoto);                         // moto state is shared: start each test empty
 *   const rds = new RDSClient(motoClientConfig());
 */
import {
  CreateDBClusterCommand,
  CreateDBInstanceCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { inject } from 'vitest';
import {
  type EmulatorConfig,
  type EmulatorConfigPatch,
  type EmulatorEventRecord,
  getEmulatorConfigAt,
  getEmulatorEventsAt,
  setEmulatorConfigAt,
} from '../../local/emulator-config.js';
import { resetMotoAt } from '../../local/moto-server.js';

export const MOTO_REGION = 'us-east-1';
export const MOTO_ACCOUNT_ID = '123456789012';
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** The shared moto server's endpoint, e.g. `http://127.0.0.1:40123`. */
export function motoEndpoint(): string {
  const endpoint = inject('motoEndpoint');
  if (!endpoint) {
    throw new Error(
      'no moto server: this test must run in the vitest "moto" project (test/workflow, test/e2e or *.moto.test.ts)',
    );
  }
  return endpoint;
}

/** Forgets every resource of every service on the shared moto server. */
export function resetMoto(): Promise<void> {
  return resetMotoAt(motoEndpoint());
}

/** Config for any `@aws-sdk/client-*` client: moto endpoint, us-east-1, dummy credentials. */
export function motoClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint: motoEndpoint(), region: MOTO_REGION, credentials: { ...MOTO_CREDENTIALS } };
}

/** One AWS call moto received while recording. */
export interface RecordedMotoCall {
  /** Signing name from the SigV4 scope: `rds` (also DocumentDB), `route53`, `secretsmanager`, ... */
  readonly service: string;
  /** Query-protocol `Action`, or the JSON protocol's `X-Amz-Target` operation. */
  readonly action: string;
  /** Query parameters (e.g. `MasterUserPassword`) or the parsed JSON body. */
  readonly params: Record<string, unknown>;
}

/**
 * Starts moto's request recorder (what no API shows, e.g. the password passed to
 * ModifyDBInstance, can be read from the recording). Stop it with {@link stopMotoRecording}.
 */
export async function startMotoRecording(): Promise<void> {
  await motoApi('recorder/reset-recording');
  await motoApi('recorder/start-recording');
}

/** Stops recording and returns the calls received since {@link startMotoRecording}. */
export async function stopMotoRecording(): Promise<RecordedMotoCall[]> {
  await motoApi('recorder/stop-recording');
  const response = await fetch(`${motoEndpoint()}/moto-api/recorder/download-recording`);
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => decodeRecordedCall(JSON.parse(line) as RawRecording));
}

interface RawRecording {
  headers?: Record<string, string>;
  body?: string | null;
  body_encoded?: boolean;
}

function decodeRecordedCall(raw: RawRecording): RecordedMotoCall {
  const headers = raw.headers ?? {};
  const service =
    /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(headers.Authorization ?? '')?.[1] ?? 'unknown';
  const body = raw.body
    ? raw.body_encoded
      ? Buffer.from(raw.body, 'base64').toString('utf8')
      : raw.body
    : '';
  const target = headers['X-Amz-Target'];
  if (target !== undefined) {
    return { service, action: target.split('.').pop() ?? target, params: body ? JSON.parse(body) : {} };
  }
  const params = Object.fromEntries(new URLSearchParams(body));
  return { service, action: String(params.Action ?? 'unknown'), params };
}

async function motoApi(path: string): Promise<void> {
  const response = await fetch(`${motoEndpoint()}/moto-api/${path}`, { method: 'POST' });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`moto-api/${path} failed: HTTP ${response.status}`);
}

/**
 * Changes the shared server's faithful mode (docs/aws-fidelity.md) until the next
 * {@link resetMoto}, e.g. `await setEmulatorConfig({ faithful: true, delayMs: 100 })`.
 */
export function setEmulatorConfig(patch: EmulatorConfigPatch): Promise<EmulatorConfig> {
  return setEmulatorConfigAt(motoEndpoint(), patch);
}

export function getEmulatorConfig(): Promise<EmulatorConfig> {
  return getEmulatorConfigAt(motoEndpoint());
}

/** The RDS events the shared server emitted or dropped since the last {@link resetMoto}, oldest first. */
export function getEmulatorEvents(): Promise<EmulatorEventRecord[]> {
  return getEmulatorEventsAt(motoEndpoint());
}

/**
 * Resolves with the emulator's event log once `done(log)` holds (the faithful mode emits events
 * when transitions finish, without any RDS call); rejects after `timeoutMs`.
 */
export async function waitForEmulatorEvents(
  done: (log: readonly EmulatorEventRecord[]) => boolean,
  options: { readonly timeoutMs?: number } = {},
): Promise<EmulatorEventRecord[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const log = await getEmulatorEvents();
    if (done(log)) return log;
    if (Date.now() > deadline) {
      throw new Error(`emulator events still not as expected after the timeout: ${JSON.stringify(log)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** What to wait for: an instance, a cluster, a DB snapshot or a cluster snapshot, by identifier. */
export type AwaitedResource =
  | { readonly instance: string }
  | { readonly cluster: string }
  | { readonly dbSnapshot: string }
  | { readonly clusterSnapshot: string };

/**
 * Resolves with the resource's status once it is `available` (the faithful mode shows `creating`
 * first, as AWS does); rejects when it ends in another settled status or after `timeoutMs`.
 * Works for DocumentDB too (same API). Seed sources with it before forking them.
 */
export async function waitForAvailable(
  resource: AwaitedResource,
  options: { readonly timeoutMs?: number; readonly client?: RDSClient } = {},
): Promise<string> {
  const rds = options.client ?? new RDSClient(motoClientConfig());
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const status = await statusOf(rds, resource);
    if (status === 'available') return status;
    if (status !== undefined && !TRANSITIONAL.has(status)) {
      throw new Error(`${JSON.stringify(resource)} ended in status ${status}, not available`);
    }
    if (Date.now() > deadline) {
      throw new Error(`${JSON.stringify(resource)} is still ${status ?? 'missing'} after the timeout`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A PostgreSQL 16.4 instance, the faithful tests' usual source, once it is `available`. */
export async function createAvailableInstance(rds: RDSClient, id: string): Promise<void> {
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: id,
      Engine: 'postgres',
      EngineVersion: '16.4',
      DBInstanceClass: 'db.t4g.micro',
      MasterUsername: 'orders',
      MasterUserPassword: 'orders-password',
    }),
  );
  await waitForAvailable({ instance: id }, { client: rds });
}

/** An Aurora PostgreSQL cluster (no instances), once it is `available`. */
export async function createAvailableCluster(rds: RDSClient, id: string): Promise<void> {
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: id,
      Engine: 'aurora-postgresql',
      MasterUsername: 'ledger',
      MasterUserPassword: 'ledger-password',
    }),
  );
  await waitForAvailable({ cluster: id }, { client: rds });
}

const TRANSITIONAL = new Set([
  'creating',
  'modifying',
  'resetting-master-credentials',
  'backing-up',
  'rebooting',
  'renaming',
  'upgrading',
  'configuring-enhanced-monitoring',
]);

async function statusOf(rds: RDSClient, resource: AwaitedResource): Promise<string | undefined> {
  if ('instance' in resource) {
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: resource.instance }));
    return out.DBInstances?.[0]?.DBInstanceStatus;
  }
  if ('cluster' in resource) {
    const out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: resource.cluster }));
    return out.DBClusters?.[0]?.Status;
  }
  if ('dbSnapshot' in resource) {
    const out = await rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: resource.dbSnapshot }));
    return out.DBSnapshots?.[0]?.Status;
  }
  const out = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterSnapshotIdentifier: resource.clusterSnapshot }),
  );
  return out.DBClusterSnapshots?.[0]?.Status;
}
