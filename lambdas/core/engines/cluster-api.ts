import type { AwsTag } from '../tags.js';
import type { RestorePlan } from './engine.js';

/**
 * The port the cluster engine drives Aurora and DocumentDB through. DocumentDB's API is the RDS
 * Query API, so both strategies send these calls through the RDS client, each with its own
 * restore/instance parameters (docdb-cluster.ts says why one client serves both).
 */

export interface Tag {
  Key?: string | undefined;
  Value?: string | undefined;
}

/** The fields of a DB cluster dbfork reads: both SDKs' `DBCluster` fit. */
export interface ClusterDescription {
  DBClusterIdentifier?: string;
  DBClusterArn?: string;
  Engine?: string;
  EngineVersion?: string;
  Status?: string;
  Endpoint?: string;
  Port?: number;
  MasterUsername?: string;
  DatabaseName?: string;
  DBClusterMembers?: { DBInstanceIdentifier?: string; IsClusterWriter?: boolean }[];
  VpcSecurityGroups?: { VpcSecurityGroupId?: string; Status?: string }[];
  DBSubnetGroup?: string;
  DBClusterParameterGroup?: string;
  BackupRetentionPeriod?: number;
  EarliestRestorableTime?: Date;
  LatestRestorableTime?: Date;
  StorageType?: string;
  ServerlessV2ScalingConfiguration?: {
    MinCapacity?: number;
    MaxCapacity?: number;
    SecondsUntilAutoPause?: number;
  };
  PendingModifiedValues?: { MasterUserPassword?: string };
  TagList?: Tag[];
}

export interface ClusterInstanceDescription {
  DBInstanceIdentifier?: string;
  DBInstanceArn?: string;
  DBInstanceClass?: string;
  DBInstanceStatus?: string;
  DBParameterGroups?: { DBParameterGroupName?: string }[];
  TagList?: Tag[];
}

export interface ClusterSnapshotDescription {
  DBClusterSnapshotIdentifier?: string;
  DBClusterSnapshotArn?: string;
  DBClusterIdentifier?: string;
  SnapshotType?: string;
  Status?: string;
  SnapshotCreateTime?: Date;
  Engine?: string;
  EngineVersion?: string;
  TagList?: Tag[];
}

interface Filter {
  Name: string;
  Values: string[];
}

/** What a point-in-time restore restores to: a time, the latest restorable time, or a clone of now. */
export interface PointInTime {
  RestoreType: 'full-copy' | 'copy-on-write';
  RestoreToTime?: Date;
  UseLatestRestorableTime?: boolean;
}

/** The snapshot a snapshot restore restores: its identifier and the engine version it holds. */
export interface SnapshotToRestore {
  id: string;
  engineVersion?: string;
}

/** The cluster calls, bound to one SDK. Inputs are the parts dbfork's shared logic decides. */
export interface ClusterApi {
  describeClusters(input: {
    DBClusterIdentifier?: string;
    Filters?: Filter[];
    Marker?: string;
  }): Promise<{ DBClusters?: ClusterDescription[]; Marker?: string }>;
  describeInstances(input: {
    DBInstanceIdentifier?: string;
    Filters?: Filter[];
    Marker?: string;
  }): Promise<{ DBInstances?: ClusterInstanceDescription[]; Marker?: string }>;
  describeSnapshots(input: {
    DBClusterIdentifier?: string;
    DBClusterSnapshotIdentifier?: string;
    SnapshotType?: string;
    Marker?: string;
  }): Promise<{ DBClusterSnapshots?: ClusterSnapshotDescription[]; Marker?: string }>;
  /** Tags of a described resource: its TagList, or (DocumentDB, which returns none) asked for by ARN. */
  tagsOf(resource: { TagList?: Tag[] }, arn: string | undefined): Promise<Record<string, string>>;
  createSnapshot(input: {
    DBClusterIdentifier: string;
    DBClusterSnapshotIdentifier: string;
    Tags: AwsTag[];
  }): Promise<unknown>;
  deleteSnapshot(snapshotId: string): Promise<unknown>;
  restoreFromSnapshot(plan: RestorePlan, snapshot: SnapshotToRestore): Promise<unknown>;
  restoreToPointInTime(plan: RestorePlan, at: PointInTime): Promise<unknown>;
  createInstance(plan: RestorePlan, instance: { id: string; instanceClass: string }): Promise<unknown>;
  modifyCluster(input: {
    DBClusterIdentifier: string;
    ApplyImmediately: boolean;
    MasterUserPassword?: string;
    DBClusterParameterGroupName?: string;
    BackupRetentionPeriod?: number;
  }): Promise<unknown>;
  deleteInstance(instanceId: string): Promise<unknown>;
  /** Sets `tags` on a cluster or instance by ARN and removes `remove`. */
  retag(arn: string, tags: readonly AwsTag[], remove: readonly string[]): Promise<unknown>;
  deleteCluster(clusterId: string): Promise<unknown>;
}
