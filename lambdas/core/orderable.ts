import { DescribeOrderableDBInstanceOptionsCommand, type RDSClient } from '@aws-sdk/client-rds';
import type { EngineKind } from './fork.js';

/**
 * The instance classes (and, for RDS instances, storage types) AWS will actually create for an
 * engine and engine version, from DescribeOrderableDBInstanceOptions. Read once per engine+version
 * and kept in the process's memory for a while: a warm API Lambda answers POST /v1/forks without
 * asking again, and the catalogue changes on AWS's release schedule, not per request.
 */

/** One orderable row: a class, with the storage it may use on it (RDS lists one row per storage type). */
export interface OrderableOption {
  instanceClass: string;
  storageType?: string;
  multiAzCapable?: boolean;
  supportsIops?: boolean;
  minIops?: number;
  maxIops?: number;
}

export interface OrderableClients {
  /** DocumentDB's catalogue too: its API is the RDS API (engines/docdb-cluster.ts). */
  rds: RDSClient;
}

/** @default 15 minutes */
export const ORDERABLE_CACHE_TTL_MS = 15 * 60_000;

/**
 * Page sizes at the APIs' maxima (RDS: "Minimum 20, maximum 1000"; DocumentDB: "Minimum 20,
 * maximum 100" — the SDK models' `MaxRecords` docs), so a catalogue is a few calls, not dozens.
 */
const RDS_PAGE = 1000;
const DOCDB_PAGE = 100;

interface Page {
  OrderableDBInstanceOptions?: {
    DBInstanceClass?: string;
    StorageType?: string;
    MultiAZCapable?: boolean;
    SupportsIops?: boolean;
    MinIopsPerDbInstance?: number;
    MaxIopsPerDbInstance?: number;
  }[];
  Marker?: string;
}

function toOption(row: NonNullable<Page['OrderableDBInstanceOptions']>[number]): OrderableOption[] {
  if (!row.DBInstanceClass) return [];
  return [
    {
      instanceClass: row.DBInstanceClass,
      ...(row.StorageType ? { storageType: row.StorageType } : {}),
      ...(row.MultiAZCapable !== undefined ? { multiAzCapable: row.MultiAZCapable } : {}),
      ...(row.SupportsIops !== undefined ? { supportsIops: row.SupportsIops } : {}),
      ...(row.MinIopsPerDbInstance !== undefined ? { minIops: row.MinIopsPerDbInstance } : {}),
      ...(row.MaxIopsPerDbInstance !== undefined ? { maxIops: row.MaxIopsPerDbInstance } : {}),
    },
  ];
}

export class OrderableCatalog {
  private readonly cache = new Map<string, { expiresAt: number; options: Promise<OrderableOption[]> }>();

  constructor(
    private readonly clients: OrderableClients,
    private readonly now: () => Date = () => new Date(),
    private readonly ttlMs = ORDERABLE_CACHE_TTL_MS,
  ) {}

  /** Every orderable row for the engine (and version, when known). Concurrent callers share one read. */
  options(kind: EngineKind, engine: string, engineVersion?: string): Promise<OrderableOption[]> {
    const key = `${kind}|${engine}|${engineVersion ?? '*'}`;
    const now = this.now().getTime();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > now) return hit.options;
    const options = this.read(kind, engine, engineVersion);
    this.cache.set(key, { expiresAt: now + this.ttlMs, options });
    // A failed read is not remembered: the next request asks again.
    options.catch(() => {
      if (this.cache.get(key)?.options === options) this.cache.delete(key);
    });
    return options;
  }

  private async read(kind: EngineKind, engine: string, engineVersion?: string): Promise<OrderableOption[]> {
    const out: OrderableOption[] = [];
    let marker: string | undefined;
    do {
      const page = await this.page(kind, {
        Engine: engine,
        ...(engineVersion ? { EngineVersion: engineVersion } : {}),
        ...(marker ? { Marker: marker } : {}),
      });
      out.push(...(page.OrderableDBInstanceOptions ?? []).flatMap(toOption));
      // A marker that does not move would loop forever; AWS never sends one, stop if it did.
      marker = page.Marker && page.Marker !== marker ? page.Marker : undefined;
    } while (marker);
    return out;
  }

  /** One call per page; DocumentDB's (Engine `docdb`) within its API's smaller page limit. */
  private page(
    kind: EngineKind,
    input: { Engine: string; EngineVersion?: string; Marker?: string },
  ): Promise<Page> {
    const MaxRecords = kind === 'docdb-cluster' ? DOCDB_PAGE : RDS_PAGE;
    return this.clients.rds.send(new DescribeOrderableDBInstanceOptionsCommand({ ...input, MaxRecords }));
  }
}
