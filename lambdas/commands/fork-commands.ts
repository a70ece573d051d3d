import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { lazyRuntime } from '../core/runtime-assembly.js';
import { COMMAND_PARTS } from './command-routes.js';
import { consumeCommands } from './consume.js';

/**
 * The command consumer Lambda (lib/commands.construct.ts): the dbfork bus's command rule → SQS →
 * this function (event source mapping, ReportBatchItemFailures). Offline, local/command-delivery.ts
 * feeds it the same SQS batches from the emulator.
 */
const runtime = lazyRuntime(COMMAND_PARTS);

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> => consumeCommands(event, runtime());
