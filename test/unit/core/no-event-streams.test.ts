import { describe, expect, it } from 'vitest';
import {
  EventStreamSerde,
  eventStreamSerdeProvider,
  resolveEventStreamSerdeConfig,
} from '../../../lambdas/core/no-event-streams.js';

describe('the event-stream stub of the Lambda bundles', () => {
  it('refuses with a message that says where event streams went', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled into dbfork Lambdas/);
    const marshaller = eventStreamSerdeProvider();
    expect(() => marshaller.serialize()).toThrow(/DBFORK_BUNDLE_ALIASES/);
    expect(() => marshaller.deserialize()).toThrow(/DBFORK_BUNDLE_ALIASES/);
  });

  it('lets a client with a streaming operation resolve its config (the Lambda client does at construction)', () => {
    const config = resolveEventStreamSerdeConfig({ region: 'us-east-1', eventStreamSerdeProvider });
    expect(config.region).toBe('us-east-1');
    expect(config.eventStreamMarshaller).toEqual({
      serialize: expect.any(Function),
      deserialize: expect.any(Function),
    });
  });
});
