import * as z from '../core/zod.js';

/**
 * An RDS event as EventBridge delivers it (Amazon EventBridge events reference, "Amazon Relational
 * Database Service events": detail-types "RDS DB Instance Event", "RDS DB Cluster Event", "RDS DB
 * Snapshot Event", "RDS DB Cluster Snapshot Event"; delivery type: best effort). DocumentDB's
 * events arrive the same way, from `aws.rds`. Only what dbfork reads is required; the rest passes.
 */
export const rdsEventSchema = z.looseObject({
  source: z.literal('aws.rds'),
  'detail-type': z.string(),
  resources: z.optional(z.array(z.string())),
  detail: z.looseObject({
    SourceIdentifier: z.string().check(z.minLength(1)),
    SourceType: z.optional(z.string()),
    SourceArn: z.optional(z.string()),
    EventID: z.optional(z.string()),
    EventCategories: z.optional(z.array(z.string())),
    Message: z.optional(z.string()),
    Date: z.optional(z.string()),
  }),
});
export type RdsEvent = z.infer<typeof rdsEventSchema>;

/**
 * The fork a resource belongs to, from its identifier: the database `fork-<12>` (or a refresh's
 * `fork-<12>-r<n>`), a cluster's writer `…-1`, the source snapshot of a fresh-snapshot restore
 * `…-source` (lambdas/core/ids.ts). Anything else is not dbfork's. AWS's event examples (RDS User
 * Guide, "Amazon RDS event examples") show `SourceIdentifier` as `rds:<name>`, its EventBridge
 * tutorial and delivered events the bare name: both are taken. An automated snapshot
 * (`rds:fork-…-<date>`) is not.
 */
const FORK_RESOURCE = /^(?:rds:)?(fork-[a-z0-9]{12})(?:-r[1-9][0-9]*)?(?:-1|-source)?$/;

export function forkIdOfResource(sourceIdentifier: string): string | undefined {
  return FORK_RESOURCE.exec(sourceIdentifier)?.[1];
}
