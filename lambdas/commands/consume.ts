import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type ErrorBody, errorResponse } from '../api/respond.js';
import { assertCommandSource, type CommandEvent, parseCommand } from './command-event.js';
import { type CommandRuntime, commandRequest, commandRoute } from './command-routes.js';
import { ReplayedFailedForkError } from './errors.js';
import { type CommandRejection, commandSummary } from './rejection.js';

/**
 * The command consumer: SQS batches of command events (rule → queue → this function, with
 * ReportBatchItemFailures). Each command runs through its HTTP route as the automation principal.
 *  - carried out (2xx): acknowledged;
 *  - refused (4xx: validation, allow-list, quota, not the automation's fork, unsupported command,
 *    refused source): `Fork Command Rejected` is published and the message acknowledged, never retried;
 *  - failed (5xx, throttling): left on the queue, which retries it; on its last receive
 *    (`commandMaxReceives`, the queue's maxReceiveCount) `Fork Command Rejected` is published with
 *    `deadLettered: true` and the queue moves it to the dead-letter queue (an alarm watches it).
 * A rejection that cannot be published leaves the message to be retried: nothing is dropped silently.
 */

/** The command queue's maxReceiveCount unless DBFORK_COMMAND_MAX_RECEIVES says otherwise. */
export const DEFAULT_COMMAND_MAX_RECEIVES = 5;

type Outcome = 'done' | 'retry';

/**
 * Commands run as the automation principal; with `automation.admin` it is also a dbfork admin, for
 * commands only (the API's admins are untouched).
 */
export function automationRuntime(rt: CommandRuntime): CommandRuntime {
  const { policy } = rt.env;
  if (!policy.automation.admin) return rt;
  const adminPrincipals = [...policy.adminPrincipals, policy.automation.principal];
  return { ...rt, env: { ...rt.env, policy: { ...policy, adminPrincipals } } };
}

async function carryOut(command: CommandEvent, rt: CommandRuntime): Promise<void> {
  assertCommandSource(command.source);
  const route = commandRoute(command['detail-type']);
  const request = commandRequest(command, route, rt.env.policy.automation.principal);
  const response = await route.handle(request, rt);
  const fork = response.body as { id?: string; status?: string; error?: { code?: string; message?: string } };
  const replayed = response.headers?.['idempotent-replayed'] === 'true';
  if (replayed && fork.status === 'failed') {
    throw new ReplayedFailedForkError(
      `fork ${fork.id} of this command failed (${fork.error?.code ?? 'failed'}: ${fork.error?.message ?? 'no reason kept'}); its idempotency key only replays it: send the command again as a new event, or with another idempotencyKey`,
      { details: [{ message: 'replayed a failed fork', forkId: fork.id, forkError: fork.error?.code }] },
    );
  }
  rt.logger.info('command carried out', {
    commandId: command.id,
    detailType: command['detail-type'],
    source: command.source,
    statusCode: response.statusCode,
    forkId: fork.id,
    replayed,
  });
}

async function consumeOne(record: SQSRecord, rt: CommandRuntime, maxReceives: number): Promise<Outcome> {
  const attempts = Number(record.attributes?.ApproximateReceiveCount) || 1;
  let command: CommandEvent | undefined;
  try {
    command = parseCommand(record.body);
    await carryOut(command, rt);
    return 'done';
  } catch (error) {
    // The API's own mapping: a DbForkError keeps its status, throttling is 503, anything else 500.
    const answer = errorResponse(error, rt.logger, command?.id);
    const status = answer.statusCode;
    const refused = status < 500;
    const log = { commandId: command?.id, messageId: record.messageId, status, attempts };
    if (!refused && attempts < maxReceives) {
      rt.logger.warn('command failed; the queue retries it', log);
      return 'retry';
    }
    const { error: body } = JSON.parse(answer.body) as ErrorBody;
    const rejection: CommandRejection = {
      error: { code: body.code, message: body.message, status, details: body.details },
      command: commandSummary(record.body),
      attempts,
      deadLettered: !refused,
    };
    try {
      await rt.events.send('Fork Command Rejected', rejection);
    } catch (publishError) {
      rt.logger.error('could not publish Fork Command Rejected; the queue retries the command', {
        ...log,
        error: publishError,
      });
      return 'retry';
    }
    rt.logger.info('command rejected', { ...log, code: body.code, deadLettered: rejection.deadLettered });
    return refused ? 'done' : 'retry';
  }
}

/** One SQS batch; the messages to retry are reported, the others are deleted by Lambda. */
export async function consumeCommands(event: SQSEvent, rt: CommandRuntime): Promise<SQSBatchResponse> {
  const asAutomation = automationRuntime(rt);
  const maxReceives = rt.env.commandMaxReceives ?? DEFAULT_COMMAND_MAX_RECEIVES;
  const batchItemFailures: SQSBatchItemFailure[] = [];
  // One at a time: a batch may hold a create and a delete of the same fork, in the order sent.
  for (const record of event.Records) {
    if ((await consumeOne(record, asAutomation, maxReceives)) === 'retry') {
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
