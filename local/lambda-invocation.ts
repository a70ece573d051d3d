/**
 * A step handler invoked as Lambda invokes it, for the offline runner's Task states: a fresh JSON
 * copy of the event, a Lambda-like context, the JSON of the result (over 256 KiB is
 * `States.DataLimitExceeded`), and a thrown error as Step Functions sees it — named after the
 * error's `name` (Lambda's `errorType`), its Cause Lambda's `{"errorType","errorMessage","trace"}`.
 */
import { randomUUID } from 'node:crypto';
import type { Context as LambdaContext } from 'aws-lambda';
import type { RunOptions } from 'aws-local-stepfunctions';
import {
  type CloudFormationTemplate,
  isRecord,
  type JsonValue,
  type StepHandler,
} from './state-machine-types.js';

type LocalOverrides = NonNullable<RunOptions['overrides']>;
export type LocalTaskHandler = NonNullable<LocalOverrides['taskResourceLocalHandlers']>[string];

const STATE_OUTPUT_LIMIT_BYTES = 256 * 1024;

/** The function's Timeout in the template (Lambda's default 3 s when it has none). */
export function functionTimeout(
  template: CloudFormationTemplate,
  functionLogicalId: string | undefined,
): number {
  const timeout =
    functionLogicalId === undefined
      ? undefined
      : template.Resources?.[functionLogicalId]?.Properties?.Timeout;
  return typeof timeout === 'number' ? timeout : 3;
}

export interface LambdaShape {
  readonly functionName: string;
  readonly functionArn: string;
  readonly timeoutSeconds: number;
  readonly viaLambdaInvoke: boolean;
  readonly errorCause: 'lambda' | 'message';
}

/** The error a handler threw, as Step Functions sees it (name = Lambda errorType). */
export class LambdaFunctionError extends Error {
  readonly handlerError: unknown;
  constructor(name: string, cause: string, handlerError: unknown) {
    super(cause);
    this.name = name;
    this.handlerError = handlerError;
  }
}

/** States.DataLimitExceeded: terminal, neither retried nor caught (as on AWS). */
class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';
  readonly isRetryable = false;
  readonly isCatchable = false;
}

export function asLambda(handler: StepHandler, shape: LambdaShape): LocalTaskHandler {
  return async (rawInput) => {
    const event = shape.viaLambdaInvoke && isRecord(rawInput) ? (rawInput.Payload ?? null) : rawInput;
    const context = lambdaContext(shape);
    let output: unknown;
    try {
      // Lambda hands the function a fresh JSON copy and sends back the JSON of its result.
      output = await handler(JSON.parse(JSON.stringify(event)), context);
    } catch (error) {
      throw toLambdaError(error, shape.errorCause);
    }
    const text = JSON.stringify(output ?? null) ?? 'null';
    if (Buffer.byteLength(text) > STATE_OUTPUT_LIMIT_BYTES) {
      throw new DataLimitExceededError(
        `the output of ${shape.functionName} is ${Buffer.byteLength(text)} bytes, over the 256 KiB state limit`,
      );
    }
    const payload = JSON.parse(text) as JsonValue;
    if (!shape.viaLambdaInvoke) return payload;
    return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
  };
}

/** What Lambda reports of an error a function threw: `{"errorType", "errorMessage", "trace"}`. */
export function lambdaErrorObject(thrown: unknown): {
  errorType: string;
  errorMessage: string;
  trace: string[];
} {
  const isError = thrown instanceof Error;
  return {
    errorType: isError && thrown.name ? thrown.name : 'Error',
    errorMessage: isError ? thrown.message : String(thrown),
    trace: isError && thrown.stack ? thrown.stack.split('\n') : [],
  };
}

function toLambdaError(thrown: unknown, format: 'lambda' | 'message'): LambdaFunctionError {
  const error = lambdaErrorObject(thrown);
  const cause = format === 'message' ? error.errorMessage : JSON.stringify(error);
  return new LambdaFunctionError(error.errorType, cause, thrown);
}

/** The context Lambda passes a Node.js function; `getRemainingTimeInMillis` counts down from now. */
export function lambdaContext(
  shape: Pick<LambdaShape, 'functionName' | 'functionArn' | 'timeoutSeconds'>,
): LambdaContext {
  const deadline = Date.now() + shape.timeoutSeconds * 1000;
  const unsupported = (): never => {
    throw new Error('context.done/fail/succeed are not supported offline: return or throw instead');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: shape.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: shape.functionArn,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${shape.functionName}`,
    logStreamName: `offline/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
