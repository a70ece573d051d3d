/**
 * What the Lambda bundles use instead of `@smithy/core/event-streams`. The SDK loads event-stream
 * support lazily (`await import('@smithy/core/event-streams')` in HttpProtocol, only for an
 * operation whose input or output is an event stream), but a single-file bundle inlines it: ~15 KB
 * of every handler for a capability dbfork never uses. No operation of RDS, DocumentDB, DynamoDB,
 * Step Functions, EventBridge, Route 53, Scheduler or Secrets Manager streams events; Lambda's
 * InvokeWithResponseStream does, and dbfork invokes hooks with plain Invoke only
 * (test/infra/bundle.test.ts checks both). Aliased in by `DBFORK_BUNDLE_ALIASES`
 * (lib/dbfork-function.ts); a streaming call fails with this message instead of misbehaving.
 */
const NOT_BUNDLED =
  'event streams are not bundled into dbfork Lambdas (DBFORK_BUNDLE_ALIASES, lambdas/core/no-event-streams.ts)';

const refuse = (): never => {
  throw new Error(NOT_BUNDLED);
};

/** Same names as `@smithy/core/event-streams`'s exports HttpProtocol reads. */
export class EventStreamSerde {
  constructor() {
    refuse();
  }
}

/**
 * A marshaller that refuses when used. Clients with a streaming operation (Lambda) build theirs at
 * construction (`resolveEventStreamSerdeConfig`), so building must succeed.
 */
export const eventStreamSerdeProvider = () => ({ serialize: refuse, deserialize: refuse });

/** As `@smithy/core/event-streams` resolves it: the client's marshaller, from its provider. */
export const resolveEventStreamSerdeConfig = <T extends { eventStreamSerdeProvider: (input: T) => unknown }>(
  input: T,
): T & { eventStreamMarshaller: unknown } =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
