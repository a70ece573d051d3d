/**
 * What the offline state machine runner, its CloudFormation renderer and its Lambda emulation share:
 * the template shapes, the handler shape, and the two errors a run can end with.
 */
import type { Context as LambdaContext } from 'aws-lambda';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A handler as a Lambda runs it: `(event, context) => result`. Extra parameters are optional. */
export type StepHandler = {
  // Method syntax keeps parameters bivariant, so `(event: ForkState) => Promise<ForkState>` fits.
  bivarianceHack(event: unknown, context: LambdaContext): unknown;
}['bivarianceHack'];

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface CloudFormationTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown; readonly [key: string]: unknown }>;
  readonly [key: string]: unknown;
}

/** Logical id of the `AWS::StepFunctions::StateMachine`, or a predicate choosing exactly one. */
export type StateMachineSelector = string | ((logicalId: string, resource: CfnResource) => boolean);

export interface PlaceholderOptions {
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

export type ExecutionStatus = 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** The execution did not succeed: `error` and `cause` as DescribeExecution would give them. */
export class StateMachineExecutionError extends Error {
  override readonly name = 'StateMachineExecutionError';
  readonly status: ExecutionStatus;
  /** Step Functions error name, e.g. the `name` of the error a handler threw, or `States.Timeout`. */
  readonly error: string;
  /** Step Functions cause text. */
  override readonly cause: string;
  /** What the handler threw, when the failure came from a handler. */
  readonly handlerError?: unknown;

  constructor(status: ExecutionStatus, error: string, cause: string, handlerError?: unknown) {
    super(`state machine execution ${status}: ${error}${cause ? `: ${cause}` : ''}`);
    this.status = status;
    this.error = error;
    this.cause = cause;
    if (handlerError !== undefined) this.handlerError = handlerError;
  }
}

/** The template or the handlers do not fit together (raised before any state runs). */
export class StateMachineBindError extends Error {
  override readonly name = 'StateMachineBindError';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of names for an error message. */
export function listNames(list: readonly string[]): string {
  return list.length === 0 ? '(none)' : list.join(', ');
}
