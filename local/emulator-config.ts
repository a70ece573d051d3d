/**
 * Typed client of the emulator's faithful-mode control endpoints (local/moto/faithful/control.py):
 * `GET|POST <endpoint>/dbfork-emulator/config` and `GET|DELETE <endpoint>/dbfork-emulator/events`.
 * `POST /moto-api/reset` puts the config back to the launch defaults and forgets the events.
 * What each setting means: docs/aws-fidelity.md.
 */

/** The kinds of wait the faithful mode simulates, each with its own delay. */
export type EmulatorDelayKind = 'restore' | 'create' | 'snapshot' | 'passwordReset' | 'modify' | 'delete';

/** AWS statuses a restore can end in instead of `available`. */
export type RestoreFailureStatus =
  | 'failed'
  | 'incompatible-credentials'
  | 'incompatible-network'
  | 'incompatible-option-group'
  | 'incompatible-parameters'
  | 'incompatible-restore'
  | 'inaccessible-encryption-credentials'
  | 'restore-error'
  | 'storage-full';

export interface EmulatorConfig {
  readonly faithful: boolean;
  readonly delaysMs: Readonly<Record<EmulatorDelayKind, number>>;
  readonly failures: {
    /** The status the next restore (instance or cluster) ends in; used once. */
    readonly nextRestore: RestoreFailureStatus | null;
    /** The status a restore of this target identifier ends in (every time, until reset). */
    readonly restoreTargets: Readonly<Record<string, RestoreFailureStatus | null>>;
  };
  readonly events: {
    /** The share (0..1) of RDS events not put on the bus, spread evenly (RDS events are best effort). */
    readonly dropFraction: number;
  };
}

export interface EmulatorConfigPatch {
  readonly faithful?: boolean;
  /** Sets every delay. */
  readonly delayMs?: number;
  readonly delaysMs?: Partial<Record<EmulatorDelayKind, number>>;
  readonly failures?: Partial<EmulatorConfig['failures']>;
  readonly events?: Partial<EmulatorConfig['events']>;
}

/** An RDS event as the emulator put it on its default bus (EventBridge fields set by the bus aside). */
export interface EmulatedRdsEvent {
  readonly source: 'aws.rds';
  readonly 'detail-type':
    | 'RDS DB Instance Event'
    | 'RDS DB Cluster Event'
    | 'RDS DB Snapshot Event'
    | 'RDS DB Cluster Snapshot Event';
  readonly resources: readonly string[];
  readonly detail: {
    readonly EventCategories: readonly string[];
    readonly SourceType: 'DB_INSTANCE' | 'CLUSTER' | 'SNAPSHOT' | 'CLUSTER_SNAPSHOT';
    readonly SourceArn: string;
    readonly Date: string;
    readonly Message: string;
    readonly SourceIdentifier: string;
    readonly EventID: string;
  };
}

/** One event the emulator emitted, or dropped (`events.dropFraction`). */
export interface EmulatorEventRecord {
  readonly event: EmulatedRdsEvent;
  readonly dropped: boolean;
}

const PATH = '/dbfork-emulator/config';
const EVENTS_PATH = '/dbfork-emulator/events';

export async function getEmulatorConfigAt(endpoint: string): Promise<EmulatorConfig> {
  return (await call(endpoint, { method: 'GET' })) as EmulatorConfig;
}

/** Merges `patch` into the running config; resolves to the config after the change. */
export async function setEmulatorConfigAt(
  endpoint: string,
  patch: EmulatorConfigPatch,
): Promise<EmulatorConfig> {
  return (await call(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  })) as EmulatorConfig;
}

/** The RDS events emitted or dropped since the last reset, oldest first (the last 1000). */
export async function getEmulatorEventsAt(endpoint: string): Promise<EmulatorEventRecord[]> {
  const body = (await call(endpoint, { method: 'GET' }, EVENTS_PATH)) as { events: EmulatorEventRecord[] };
  return body.events;
}

export async function clearEmulatorEventsAt(endpoint: string): Promise<void> {
  await call(endpoint, { method: 'DELETE' }, EVENTS_PATH);
}

async function call(endpoint: string, init: RequestInit, path = PATH): Promise<unknown> {
  const response = await fetch(`${endpoint.replace(/\/$/, '')}${path}`, init);
  const body = (await response.json()) as unknown;
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body
        ? String(body.error)
        : `HTTP ${response.status}`;
    throw new Error(`emulator config: ${message}`);
  }
  return body;
}
