import type { RDSClient } from '@aws-sdk/client-rds';
import { SourceNotFoundError } from '../errors.js';
import type { EngineKind } from '../fork.js';
import { AuroraClusterEngine } from './aurora-cluster.js';
import { DocDbClusterEngine } from './docdb-cluster.js';
import type { EngineStrategy, SourceDatabase } from './engine.js';
import { RdsInstanceEngine } from './rds-instance.js';

/** Every engine strategy, and detection of a source's kind from its identifier or ARN alone. */
export interface EngineClients {
  /** RDS, Aurora and DocumentDB alike: DocumentDB's API is the RDS API (docdb-cluster.ts). */
  rds: RDSClient;
}

export class EngineRegistry {
  private readonly engines: Map<EngineKind, EngineStrategy>;

  constructor(engines: EngineStrategy[]) {
    this.engines = new Map(engines.map((engine) => [engine.kind, engine]));
  }

  /** Lookup order: an identifier is tried as an instance first, then as an Aurora or DocumentDB cluster. */
  static create(clients: EngineClients): EngineRegistry {
    return new EngineRegistry([
      new RdsInstanceEngine(clients.rds),
      new AuroraClusterEngine(clients.rds),
      new DocDbClusterEngine(clients.rds),
    ]);
  }

  get(kind: EngineKind): EngineStrategy {
    const engine = this.engines.get(kind);
    if (!engine) throw new SourceNotFoundError(`dbfork has no engine for ${kind} databases`);
    return engine;
  }

  all(): EngineStrategy[] {
    return [...this.engines.values()];
  }

  /** Candidate kinds in lookup order: an ARN names its resource type, an identifier may be either. */
  private candidates(ref: string): EngineStrategy[] {
    const arn = /^arn:aws[a-z-]*:rds:[^:]*:\d{12}:(db|cluster):/.exec(ref);
    if (arn?.[1] === 'db') return this.all().filter((e) => e.kind === 'rds-instance');
    if (arn?.[1] === 'cluster') return this.all().filter((e) => e.kind !== 'rds-instance');
    return this.all();
  }

  /** Finds the source by identifier or ARN. A caller never says which engine it is. */
  async resolve(ref: string): Promise<{ engine: EngineStrategy; source: SourceDatabase }> {
    const id = ref.startsWith('arn:') ? (ref.split(':').at(-1) ?? ref) : ref;
    for (const engine of this.candidates(ref)) {
      const source = await engine.describeSource(id);
      if (source) return { engine, source };
    }
    throw new SourceNotFoundError(`no RDS instance, Aurora cluster or DocumentDB cluster named "${id}"`, {
      details: [{ path: 'source', message: 'source database not found' }],
    });
  }
}
