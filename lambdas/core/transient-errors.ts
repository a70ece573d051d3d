import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { isDbForkError, TransientAwsError } from './errors.js';

/**
 * The AWS SDK's own classification (`@smithy/core/retry`, what its retry strategy uses): throttling
 * error names and HTTP 429, transient names/status codes (500, 502, 503, 504, timeouts, connection
 * resets) and any other 5xx. The SDK already retried these a few times; what still fails is given
 * one name so the workflow can wait and retry the whole step.
 */
export function isTransientAwsError(error: unknown): boolean {
  if (!(error instanceof Error) || isDbForkError(error)) return false;
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

/** The error a step throws: a transient AWS failure becomes `TransientAwsError`; anything else is kept. */
export function asStepError(error: unknown): unknown {
  if (!isTransientAwsError(error)) return error;
  const aws = error as Error;
  return new TransientAwsError(`AWS answered ${aws.name}: ${aws.message}`, { cause: error });
}
