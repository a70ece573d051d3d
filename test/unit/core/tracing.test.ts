import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * lambdas/core/tracing.ts as Lambda runs it: Tracer reads the environment when it is built, so each
 * test imports the module afresh with the Lambda execution environment (and an X-Ray trace header)
 * set. Segments go nowhere (no X-Ray daemon here); what is asserted is what they would carry.
 */
const LAMBDA_ENV = {
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: 'dbfork-test',
  LAMBDA_TASK_ROOT: '/var/task',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
};

async function tracingInLambda() {
  vi.resetModules();
  for (const [key, value] of Object.entries(LAMBDA_ENV)) vi.stubEnv(key, value);
  return import('../../../lambdas/core/tracing.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('tracing (Powertools Tracer)', () => {
  it('runs a handler in its own "## <name>" subsegment with the cold-start and service annotations', async () => {
    const { traced, tracer, annotate } = await tracingInLambda();
    expect(tracer.isTracingEnabled()).toBe(true);
    let inside: { name: string; annotations?: Record<string, unknown> } | undefined;
    const handler = traced('mark-ready', async (input: { forkId: string }) => {
      annotate('forkId', input.forkId);
      inside = tracer.getSegment() as unknown as typeof inside;
      return 'done';
    });
    await expect(handler({ forkId: 'fork-abc123abc123' })).resolves.toBe('done');
    expect(inside?.name).toBe('## mark-ready');
    expect(inside?.annotations).toMatchObject({
      ColdStart: expect.any(Boolean),
      Service: 'dbfork',
      forkId: 'fork-abc123abc123',
    });
  });

  it('records a thrown error on the subsegment and rethrows it', async () => {
    const { traced, tracer } = await tracingInLambda();
    let inside: { cause?: { exceptions?: { message: string }[] }; fault?: boolean } | undefined;
    const handler = traced('restore', async () => {
      inside = tracer.getSegment() as unknown as typeof inside;
      throw new Error('the restore failed');
    });
    await expect(handler(undefined)).rejects.toThrow('the restore failed');
    expect(inside?.cause?.exceptions?.[0]?.message).toBe('the restore failed');
  });

  it('captures SDK clients for X-Ray in Lambda, and leaves them alone outside it (offline, tests)', async () => {
    const { capture } = await tracingInLambda();
    const { SFNClient } = await import('@aws-sdk/client-sfn');
    const traced = capture(new SFNClient({ region: 'us-east-1' }));
    expect(traced.middlewareStack.identify().some((m) => m.startsWith('XRaySDKInstrumentation'))).toBe(true);

    vi.unstubAllEnvs();
    vi.resetModules();
    const offline = await import('../../../lambdas/core/tracing.js');
    expect(offline.tracer.isTracingEnabled()).toBe(false);
    const plain = offline.capture(new SFNClient({ region: 'us-east-1' }));
    expect(plain.middlewareStack.identify().some((m) => m.startsWith('XRaySDKInstrumentation'))).toBe(false);
  });
});
