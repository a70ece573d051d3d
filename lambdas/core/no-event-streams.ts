/**
 * What the Lambda bundles use instead of `@smithy/core/event-streams`. The SDK loads event-stream
 * support lazily (`await import('@smithy/core/event-streams')` in HttpProtocol, only for an
 * operation whose input or output is an event stream), but a single-file bundle inlines it: ~15 KB
 * of every handler for a capability none of dbfork's services has (no operation of RDS, DocumentDB,
 * DynamoDB, Step Functions, EventBridge, Route 53, Scheduler or Secrets Manager streams events;
 * test/infra/bundle.test.ts checks their schemas for the `streaming` trait). Aliased in by
 * `DBFORK_BUNDLE_ALIASES` (lib/dbfork-function.ts); should a client that streams ever be added,
 * the call fails with this message instead of misbehaving.
 */
const NOT_BUNDLED =
  'event streams are not bundled into dbfork Lambdas (DBFORK_BUNDLE_ALIASES, lambdas/core/no-event-streams.ts)';

/** Same names as `@smithy/core/event-streams`'s exports HttpProtocol reads. */
export class EventStreamSerde {
  constructor() {
    throw new Error(NOT_BUNDLED);
  }
}

export const eventStreamSerdeProvider = (): never => {
  throw new Error(NOT_BUNDLED);
};
