/**
 * A tiny in-memory RDS/DocumentDB control plane behind an aws-sdk-client-mock'ed client, for the
 * cluster engine unit tests: Describe* answer from the clusters, instances and snapshots given;
 * every other command succeeds with `{}` unless a test says otherwise; every call is recorded with
 * its exact input. The same fake serves `RDSClient` and `DocDBClient` (DocumentDB is the RDS Query
 * API; its Describe* answers carry no TagList, so `tagsInDescribe: false` strips them and tags are
 * answered by ListTagsForResource only).
 */
import type { DocDBClient } from '@aws-sdk/client-docdb';
import type { DBCluster, DBClusterSnapshot, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { clusterNotFound, clusterSnapshotNotFound } from './cluster-fixtures.js';
import { instanceNotFound } from './fixtures.js';

type Input = Record<string, unknown>;
type Answer = (input: Input) => unknown;

export interface SentCommand {
  /** The command's name without `Command`: `RestoreDBClusterFromSnapshot`. */
  command: string;
  input: Input;
}

interface SentStub {
  send: {
    callsFake(
      fake: (command: { constructor: { name: string }; input: unknown }) => Promise<unknown>,
    ): unknown;
  };
}

interface Filter {
  Name?: string;
  Values?: string[];
}

const filterValues = (input: Input, name: string) =>
  (input.Filters as Filter[] | undefined)?.find((f) => f.Name === name)?.Values;

export class FakeControlPlane {
  clusters: DBCluster[] = [];
  instances: DBInstance[] = [];
  snapshots: DBClusterSnapshot[] = [];
  readonly sent: SentCommand[] = [];
  private readonly answers = new Map<string, Answer>();

  constructor(
    client: RDSClient | DocDBClient,
    private readonly tagsInDescribe: boolean,
  ) {
    const stub = mockClient(client as RDSClient) as unknown as SentStub;
    stub.send.callsFake(async (command) => {
      const name = command.constructor.name.replace(/Command$/, '');
      const input = command.input as Input;
      this.sent.push({ command: name, input });
      const answer = this.answers.get(name) ?? ((given: Input) => this.describe(name, given));
      return answer(input);
    });
  }

  /** Answers `command` (name without `Command`) with `answer` from now on. */
  on(command: string, answer: Answer): this {
    this.answers.set(command, answer);
    return this;
  }

  /** Inputs of every `command` sent, in order. */
  inputsOf(command: string): Input[] {
    return this.sent.filter((s) => s.command === command).map((s) => s.input);
  }

  /** Names of the commands sent, in order, leaving out reads. */
  writes(): string[] {
    return this.sent.map((s) => s.command).filter((c) => !/^(Describe|List)/.test(c));
  }

  private visible<T extends { TagList?: unknown }>(item: T): T {
    if (this.tagsInDescribe) return item;
    const { TagList: _tags, ...rest } = item;
    return rest as T;
  }

  /**
   * A Describe* answer: the one item named by `id` (or `notFound`), else the items `keep` keeps,
   * without their tags where the API shows none.
   */
  private answer<T extends { TagList?: unknown }>(
    items: T[],
    id: { value: unknown; of: (item: T) => string | undefined; notFound: (id: string) => Error },
    keep: (item: T) => boolean,
  ): T[] {
    if (id.value === undefined) return items.filter(keep).map((item) => this.visible(item));
    const found = items.find((item) => id.of(item) === id.value);
    if (!found) throw id.notFound(String(id.value));
    return [this.visible(found)];
  }

  private describe(name: string, input: Input): unknown {
    switch (name) {
      case 'DescribeDBClusters': {
        const engines = filterValues(input, 'engine');
        return {
          DBClusters: this.answer(
            this.clusters,
            { value: input.DBClusterIdentifier, of: (c) => c.DBClusterIdentifier, notFound: clusterNotFound },
            (c) => !engines || engines.includes(c.Engine ?? ''),
          ),
        };
      }
      case 'DescribeDBInstances': {
        const clusterIds = filterValues(input, 'db-cluster-id');
        return {
          DBInstances: this.answer(
            this.instances,
            {
              value: input.DBInstanceIdentifier,
              of: (i) => i.DBInstanceIdentifier,
              notFound: instanceNotFound,
            },
            (i) => !clusterIds || clusterIds.includes(i.DBClusterIdentifier ?? ''),
          ),
        };
      }
      case 'DescribeDBClusterSnapshots':
        return {
          DBClusterSnapshots: this.answer(
            // As AWS: an automated snapshot is found by its identifier only with SnapshotType automated.
            this.snapshots.filter(
              (s) =>
                input.DBClusterSnapshotIdentifier === undefined ||
                s.SnapshotType !== 'automated' ||
                input.SnapshotType === 'automated',
            ),
            {
              value: input.DBClusterSnapshotIdentifier,
              of: (s) => s.DBClusterSnapshotIdentifier,
              notFound: clusterSnapshotNotFound,
            },
            (s) => s.DBClusterIdentifier === input.DBClusterIdentifier,
          ),
        };
      case 'ListTagsForResource': {
        const all = [
          ...this.clusters.map((c) => [c.DBClusterArn, c.TagList] as const),
          ...this.instances.map((i) => [i.DBInstanceArn, i.TagList] as const),
          ...this.snapshots.map((s) => [s.DBClusterSnapshotArn, s.TagList] as const),
        ];
        const found = all.find(([arn]) => arn === input.ResourceName);
        if (found) return { TagList: found[1] ?? [] };
        // As AWS: an ARN that names nothing is a NotFound of its type (RDS API Reference).
        const arn = String(input.ResourceName);
        throw arn.includes(':cluster:') ? clusterNotFound(arn) : instanceNotFound(arn);
      }
      default:
        if (/^(Describe|List)/.test(name)) throw new Error(`the fake control plane does not answer ${name}`);
        return {};
    }
  }
}
