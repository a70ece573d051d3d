import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyRuntime } from '../core/runtime-assembly.js';
import { traced } from '../core/tracing.js';
import { COMMAND_PARTS } from './command-routes.js';
import { consumeCommands } from './consume.js';

/**
 * The command consumer Lambda (lib/commands.construct.ts): the dbfork bus's command rule → SQS →
 * this function (event source mapping, ReportBatchItemFailures). Offline, local/command-delivery.ts
 * feeds it the same SQS batches from the emulator.
 */
const runtime = lazyRuntime(COMMAND_PARTS);

export const handler = traced(
  'commands',
  (event: SQSEvent): Promise<SQSBatchResponse> => consumeCommands(event, runtime()),
);
