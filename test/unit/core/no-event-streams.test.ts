import { describe, expect, it } from 'vitest';
import { EventStreamSerde, eventStreamSerdeProvider } from '../../../lambdas/core/no-event-streams.js';

describe('the event-stream stub of the Lambda bundles', () => {
  it('refuses with a message that says where event streams went', () => {
    expect(() => new EventStreamSerde()).toThrow(/event streams are not bundled into dbfork Lambdas/);
    expect(() => eventStreamSerdeProvider()).toThrow(/DBFORK_BUNDLE_ALIASES/);
  });
});
