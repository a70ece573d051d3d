/** The rejections a consumer published, for the command tests (events: test/support/command-events.ts). */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { expect } from 'vitest';
import type { CommandRejection } from '../../../lambdas/commands/rejection.js';
import type { ClientMocks } from '../../support/runtime.js';

export {
  type CommandInput,
  commandEvent,
  commands,
  sqsEvent,
  sqsRecord,
} from '../../support/command-events.js';

/** Every event the runtime put on the bus, by detail-type. */
export function published(mocks: ClientMocks, detailType: string): unknown[] {
  return mocks.events
    .commandCalls(PutEventsCommand)
    .flatMap((call) => call.args[0].input.Entries ?? [])
    .filter((entry) => entry.DetailType === detailType)
    .map((entry) => {
      expect(entry.Source).toBe('dbfork');
      return JSON.parse(entry.Detail ?? 'null') as unknown;
    });
}

export function rejections(mocks: ClientMocks): CommandRejection[] {
  return published(mocks, 'Fork Command Rejected') as CommandRejection[];
}
