import { isThrottlingError } from '@smithy/core/retry';
import { PostRestoreHookError, PostRestoreHookTimeoutError, TransientAwsError } from './errors.js';
import type { ForkRecord, ResolvedRestore, RestoreRequest, SourceSummary } from './fork.js';
import type { HookInvocation, HookInvoker } from './hook-invoker.js';

/**
 * Running a post-restore hook: the event it gets, and how its answer is judged (fail closed). Kept
 * apart from the fork record so the create step and a refresh can both use it, each on its own
 * database endpoint.
 */

/** Why the hook runs: a new fork, or a new database about to take over a fork's name. */
export type HookTrigger = 'create' | 'refresh';

/**
 * What a hook receives: the public fork object's connection fields — never a password (the hook
 * reads the secret by `secretArn` with its own role) — and a few more that are harmless and useful.
 */
export interface PostRestoreHookEvent {
  trigger: HookTrigger;
  /** The hook's name or ARN as configured (what the fork records). */
  hook: string;
  id: string;
  name: string;
  source: SourceSummary;
  /** The database's own endpoint host (TLS certificates name it, not the DNS name). */
  endpoint: string;
  port: number;
  engine: string;
  secretArn: string;
  /** The name the fork gets once the hook succeeds (a refresh: the name that moves to this database). */
  dnsName: string;
  /** What this database was restored from (a refresh: the refresh's backup, not the fork's first). */
  restore: { requested: RestoreRequest; resolved?: ResolvedRestore };
  owner: string;
  tags: Record<string, string>;
  expiresAt: string;
}

/** The event of `hook` for a fork whose database (restored from `restore`) answers at `endpoint`. */
export function hookEvent(
  fork: ForkRecord,
  hook: string,
  endpoint: { host: string; port: number },
  trigger: HookTrigger,
  restore: ForkRecord['restore'] = fork.restore,
): PostRestoreHookEvent {
  if (!fork.source || !fork.secretArn) {
    throw new PostRestoreHookError(
      `post-restore hook ${hook} cannot run: fork ${fork.id} has no ${fork.source ? 'secret' : 'source'} yet`,
    );
  }
  return {
    trigger,
    hook,
    id: fork.id,
    name: fork.name,
    source: fork.source,
    endpoint: endpoint.host,
    port: endpoint.port,
    engine: fork.source.engine,
    secretArn: fork.secretArn,
    dnsName: fork.dnsName,
    restore,
    owner: fork.owner,
    tags: fork.tags,
    expiresAt: fork.expiresAt,
  };
}

const MAX_MESSAGE = 1000;

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `TypeError: boom`, or just `boom` for a plain Error. */
function describeError(errorType: unknown, message: unknown): string | undefined {
  if (typeof message !== 'string') return undefined;
  return typeof errorType === 'string' && errorType !== '' && errorType !== 'Error'
    ? `${errorType}: ${message}`
    : message;
}

/**
 * Why an answer is a failure, or undefined when the hook succeeded: Lambda's `FunctionError` (the
 * hook threw, or timed out or ran out of memory in Lambda), or a result that carries an error —
 * `{"error": "why"}` (or `{"error": {"message": "why"}}`), or Lambda's own error shape
 * `{"errorMessage": "why"}` returned instead of thrown.
 */
export function hookFailureOf(answer: HookInvocation): string | undefined {
  const body = parse(answer.payload);
  const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  if (answer.functionError) {
    return (
      describeError(fields?.errorType, fields?.errorMessage) ??
      `${answer.functionError} error: ${answer.payload.slice(0, MAX_MESSAGE)}`
    );
  }
  if (!fields) return undefined;
  const { error } = fields;
  if (typeof error === 'string' && error !== '') return error;
  if (error !== null && typeof error === 'object') {
    const inner = error as Record<string, unknown>;
    return describeError(inner.name, inner.message) ?? JSON.stringify(error);
  }
  if (error === true) return 'returned error: true';
  return describeError(fields.errorType, fields.errorMessage);
}

/**
 * Invokes `hook` with `event` and waits at most `timeoutSeconds`. Resolves when it succeeded;
 * otherwise throws, naming the hook:
 * - PostRestoreHookError: it failed (threw, returned an error) or could not be invoked;
 * - PostRestoreHookTimeoutError: no answer in time (the wait is abandoned; a Lambda function runs
 *   on until its own timeout, so configure that at most `timeoutSeconds`);
 * - TransientAwsError: Lambda throttled the invoke. The function did not run (a throttled invoke is
 *   refused before it starts: TooManyRequestsException, Invoke API), so the workflow retries it.
 */
export async function invokePostRestoreHook(
  invoker: HookInvoker,
  hook: string,
  event: PostRestoreHookEvent,
  timeoutSeconds: number,
): Promise<void> {
  const controller = new AbortController();
  let timedOut = false;
  const timeoutMs = timeoutSeconds * 1000;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  let answer: HookInvocation;
  try {
    answer = await invoker.invoke(hook, JSON.stringify(event), { signal: controller.signal, timeoutMs });
  } catch (error) {
    if (timedOut) {
      throw new PostRestoreHookTimeoutError(
        `post-restore hook ${hook} timed out: no answer within ${timeoutSeconds} s (postRestoreHook.timeoutSeconds)`,
        { cause: error },
      );
    }
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (error instanceof Error && isThrottlingError(error as Parameters<typeof isThrottlingError>[0])) {
      throw new TransientAwsError(`post-restore hook ${hook} was not invoked: Lambda answered ${what}`, {
        cause: error,
      });
    }
    throw new PostRestoreHookError(
      `post-restore hook ${hook} could not be invoked: ${what.slice(0, MAX_MESSAGE)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
  const failure = hookFailureOf(answer);
  if (failure !== undefined) {
    throw new PostRestoreHookError(`post-restore hook ${hook} failed: ${failure.slice(0, MAX_MESSAGE)}`);
  }
}
