import { RDSServiceException } from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import { ForkStateConflictError, TransientAwsError } from '../../../lambdas/core/errors.js';
import { asStepError, isTransientAwsError } from '../../../lambdas/core/transient-errors.js';
import { defineStep } from '../../../lambdas/steps/step.js';
import { mockedRuntime } from '../../support/runtime.js';
import { FORK_ID } from '../core/fixtures.js';

/** An AWS error as the SDK throws it: a named service exception with the HTTP status it came with. */
function awsError(name: string, httpStatusCode: number): RDSServiceException {
  return new RDSServiceException({
    name,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

describe('isTransientAwsError', () => {
  it.each([
    ['ThrottlingException', 400],
    ['Throttling', 400],
    ['TooManyRequestsException', 429],
    ['RequestLimitExceeded', 400],
    ['ProvisionedThroughputExceededException', 400],
    ['InternalFailure', 500],
    ['ServiceUnavailable', 503],
    ['SomethingElse', 502],
  ])('is true for %s (HTTP %i)', (name, status) => {
    expect(isTransientAwsError(awsError(name, status))).toBe(true);
  });

  it.each([
    ['InvalidParameterValue', 400],
    ['DBInstanceNotFoundFault', 404],
    ['AccessDeniedException', 403],
  ])('is false for %s (HTTP %i), and for dbfork’s own errors', (name, status) => {
    expect(isTransientAwsError(awsError(name, status))).toBe(false);
    expect(isTransientAwsError(new ForkStateConflictError('conflict'))).toBe(false);
    expect(isTransientAwsError('not an error')).toBe(false);
  });
});

describe('a step meeting a transient AWS error', () => {
  it('throws one retryable TransientAwsError named exactly so, with the AWS error as cause', async () => {
    const throttled = awsError('ThrottlingException', 400);
    const step = defineStep('restore', [], async () => {
      throw throttled;
    });

    const failure = step.run({ forkId: FORK_ID }, mockedRuntime().rt).catch((error: unknown) => error);

    const error = await failure;
    expect(error).toBeInstanceOf(TransientAwsError);
    expect(error).toMatchObject({ name: 'TransientAwsError', cause: throttled });
  });

  it('keeps any other error as it is', async () => {
    const invalid = awsError('InvalidParameterCombination', 400);
    const step = defineStep('restore', [], async () => {
      throw invalid;
    });

    await expect(step.run({ forkId: FORK_ID }, mockedRuntime().rt)).rejects.toBe(invalid);
    expect(asStepError(invalid)).toBe(invalid);
  });
});
