import type { EngineKind, RestoreRequest } from '../fork.js';
import type { AwsTag } from '../tags.js';

/**
 * One strategy per kind of database with the same interface. Adding an engine = one new file
 * implementing this, registered in `registry.ts`.
 */

/** Aurora / DocumentDB Serverless v2 capacity range (ACUs), copied to a fork of a Serverless v2 source. */
export interface ServerlessV2Scaling {
  minCapacity?: number;
  maxCapacity?: number;
  secondsUntilAutoPause?: number;
}

export interface RestorableWindow {
  earliest?: string;
  latest?: string;
}

export interface SourceDatabase {
  id: string;
  arn: string;
  kind: EngineKind;
  engine: string;
  engineVersion?: string;
  status: string;
  tags: Record<string, string>;
  port?: number;
  masterUsername?: string;
  dbName?: string;
  instanceClass?: string;
  storageType?: string;
  vpcSecurityGroupIds: string[];
  subnetGroupName?: string;
  parameterGroupName?: string;
  optionGroupName?: string;
  clusterParameterGroupName?: string;
  /** Clusters: the writer instance's identifier (its class and DB parameter group are the fork writer's). */
  writerInstanceId?: string;
  serverlessV2Scaling?: ServerlessV2Scaling;
  restorableWindow: RestorableWindow;
}

export interface Backup {
  id: string;
  arn?: string;
  type: 'automated' | 'manual';
  status: string;
  createdAt?: string;
  sourceId?: string;
  engine?: string;
  /** The engine version of the database the snapshot was taken of (what a restore of it runs). */
  engineVersion?: string;
  tags?: Record<string, string>;
}

/** A restore request resolved to exactly one snapshot or one point in time. */
export type RestoreTarget =
  | { type: 'snapshot'; snapshotId: string }
  | { type: 'point-in-time'; restoreTime?: string; useLatestRestorableTime?: boolean }
  | { type: 'clone' };

export interface RestorePlan {
  forkId: string;
  /** Identifier of the fork's instance or cluster. */
  targetId: string;
  source: SourceDatabase;
  target: RestoreTarget;
  instanceClass?: string;
  multiAz: boolean;
  /** Only a storage type of the source's kind (the API refuses others; a stack default may not fit). */
  storageType?: string;
  /** Provisioned IOPS (io1/io2/gp3 instances); absent = taken from the backup. */
  iops?: number;
  vpcSecurityGroupIds: string[];
  subnetGroupName?: string;
  tags: AwsTag[];
}

/** An instance of a fork cluster. */
export interface ForkInstance {
  id: string;
  status: string;
  writer: boolean;
}

export interface ForkDatabase {
  id: string;
  arn?: string;
  status: string;
  tags: Record<string, string>;
  endpoint?: { host: string; port: number };
  /** A password change has been requested but not yet applied. */
  passwordPending: boolean;
  /** Clusters: their instances (a restored cluster has none until `createInstances`). */
  instances?: ForkInstance[];
}

export interface EngineStrategy {
  readonly kind: EngineKind;
  readonly supportedRestores: readonly RestoreRequest['type'][];
  /** undefined when there is no such database of this kind. */
  describeSource(id: string): Promise<SourceDatabase | undefined>;
  listSources(): Promise<SourceDatabase[]>;
  /** Available and in-progress snapshots, automated and manual, newest first. */
  listBackups(source: SourceDatabase): Promise<Backup[]>;
  describeSnapshot(snapshotId: string): Promise<Backup | undefined>;
  /** The only write to a source (invariant 3): a snapshot tagged as the fork's. */
  createSnapshot(source: SourceDatabase, snapshotId: string, tags: AwsTag[]): Promise<void>;
  /** Tag-guarded; true once the snapshot is gone (a snapshot still being taken is deleted on a later call). */
  deleteSnapshot(snapshotId: string, forkId: string): Promise<boolean>;
  /** Idempotent: a fork database that already exists with this fork's tags is success. */
  restore(plan: RestorePlan): Promise<void>;
  /** Creates what a restore does not (cluster instances). Returns true when nothing is left to wait for. */
  createInstances(plan: RestorePlan): Promise<boolean>;
  /**
   * True when the fork database and all its instances are available (a cluster: it and its writer).
   * The wait right after `restore` only needs `ForkDatabase.status` (the instance or cluster itself).
   */
  isAvailable(fork: ForkDatabase): boolean;
  /** undefined only once the database (instance or cluster) is gone. */
  describeFork(targetId: string): Promise<ForkDatabase | undefined>;
  /** Tag-guarded. */
  setMasterPassword(targetId: string, forkId: string, password: string): Promise<void>;
  /**
   * Tag-guarded: sets `tags` on the fork database (a cluster and its instances) and removes the
   * keys `remove` — what a warm-pool member takes when a fork claims it (the fork's owner, expiry
   * and tags; no `dbfork:pool`). Idempotent.
   */
  retag(targetId: string, forkId: string, tags: AwsTag[], remove: readonly string[]): Promise<void>;
  /** Tag-guarded; deletes instances then the database, no final snapshot; missing is success. */
  deleteFork(targetId: string, forkId: string): Promise<void>;
}
