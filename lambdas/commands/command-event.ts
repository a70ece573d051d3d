import { zodDetails } from '../api/respond.js';
import { EVENT_SOURCE } from '../core/events.js';
import * as z from '../core/zod.js';
import { CommandSourceRefusedError, InvalidCommandError } from './errors.js';

/**
 * Commands in (DESIGN.md §5): events on the dbfork bus whose detail-type names the command and
 * whose `detail` is the HTTP body, plus `fork` (id or name) for those about one fork. All four
 * reach the consumer, so one dbfork cannot carry out yet is refused loudly, never dropped.
 */
export const COMMAND_DETAIL_TYPES = ['Create Fork', 'Delete Fork', 'Extend Fork', 'Refresh Fork'] as const;
export type CommandDetailType = (typeof COMMAND_DETAIL_TYPES)[number];

/** AWS services' sources: never commands. */
export const AWS_SOURCE_PREFIX = 'aws.';

/**
 * The command rule's pattern, as EventBridge takes it (the stack's rule and the offline rule on the
 * emulator's bus are built from it). Content filtering takes one `anything-but` `prefix` value per
 * pattern ("Comparison operators for use in event patterns", EventBridge User Guide: `"Region": [
 * { "anything-but": {"prefix": "us-" } } ]`), and values of one field are OR'ed, so the pattern
 * cannot also exclude the exact source `dbfork`: the rule keeps out `aws.*`, the consumer refuses
 * `dbfork` (assertCommandSource) and says so with `Fork Command Rejected`. No dbfork event has a
 * command's detail-type, so dbfork's own events never reach the rule anyway.
 */
export const COMMAND_EVENT_PATTERN = {
  'detail-type': [...COMMAND_DETAIL_TYPES],
  source: [{ 'anything-but': { prefix: AWS_SOURCE_PREFIX } }],
} as const;

/** Commands from dbfork itself or an AWS service are refused (the rule already keeps out `aws.*`). */
export function assertCommandSource(source: string): void {
  if (source !== EVENT_SOURCE && !source.startsWith(AWS_SOURCE_PREFIX)) return;
  throw new CommandSourceRefusedError(
    `commands are not taken from source "${source}": dbfork takes them from any source but "${EVENT_SOURCE}" and "${AWS_SOURCE_PREFIX}*"; put the event with your own source, e.g. "ci.pipeline"`,
    { details: [{ path: 'source', message: 'source not allowed for commands', source }] },
  );
}

/** An EventBridge event as a rule's SQS target receives it (the message body). */
export const commandEventSchema = z.looseObject({
  id: z.string().check(z.minLength(1)),
  source: z.string(),
  'detail-type': z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type CommandEvent = z.infer<typeof commandEventSchema>;

/** The SQS message body as a command event; anything else is an InvalidCommandError (400). */
export function parseCommand(body: string): CommandEvent {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new InvalidCommandError(
      'the message is not JSON; commands are EventBridge events on the dbfork bus',
      {
        details: [{ path: '', message: 'malformed JSON' }],
      },
    );
  }
  const parsed = commandEventSchema.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues);
    const first = details[0];
    throw new InvalidCommandError(
      `not a command event: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'invalid'} (detail must be a JSON object)`,
      { details },
    );
  }
  return parsed.data;
}
