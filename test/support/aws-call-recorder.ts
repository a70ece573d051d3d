/**
 * Records every AWS call a dbfork function makes in a test, as the authorizations AWS would make
 * for it (test/support/iam-call-map.ts), so test/iam can evaluate each against the synthesized
 * policy of the function that made it.
 *
 * - An SDK middleware (step `initialize`, so it sees the command name and the caller's input) on
 *   each client the test runtime uses.
 * - Which function made a call: an AsyncLocalStorage set where the test invokes a step handler,
 *   the API or the reconciler (`runAs`). Calls outside any function (seeding, assertions) are not
 *   recorded.
 * - `aws:ResourceTag/*`: the live tags of each resource a write is authorized against, read just
 *   before the call goes out (authorization time), through `tagsOf` on uninstrumented clients.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  authorizationsOf,
  type CallSite,
  type MappedAuthorization,
  UnmappedCallError,
} from './iam-call-map.js';
import type { AuthorizationRequest, ContextValue } from './iam-evaluator.js';

const currentFunction = new AsyncLocalStorage<string>();

/** Runs `work` as function `name`: every AWS call it makes (however deep) is recorded as that function's. */
export function runAs<T>(name: string, work: () => Promise<T>): Promise<T> {
  return currentFunction.run(name, work);
}

/** Runs `work` outside any function (e.g. a workflow the API starts runs as its own steps). */
export function outsideAnyFunction<T>(work: () => T): T {
  return currentFunction.exit(work);
}

export interface RecordedCall {
  readonly fn: string;
  readonly client: string;
  readonly operation: string;
  readonly authorizations: readonly AuthorizationRequest[];
  /** Set when the call could not be mapped to authorizations (a test failure, not a skip). */
  readonly unmapped?: string;
  /** Resources a write named that did not exist when it went out (e.g. a delete racing another). */
  readonly missing?: readonly string[];
  /** What a schedule it creates or updates invokes (Target.Arn), with the scheduler role, later. */
  readonly scheduleTarget?: string;
}

/** The target a CreateSchedule / UpdateSchedule names. */
function scheduleTargetOf(operation: string, input: unknown): string | undefined {
  if (operation !== 'CreateSchedule' && operation !== 'UpdateSchedule') return undefined;
  const arn = (input as { Target?: { Arn?: unknown } } | undefined)?.Target?.Arn;
  return typeof arn === 'string' ? arn : undefined;
}

/** The live tags of a resource, or undefined when it does not exist (yet). */
export type TagLookup = (arn: string) => Promise<Record<string, string> | undefined>;

/** Resources whose tags can decide a policy here: rds databases/snapshots/groups and secrets. */
const TAGGABLE = /^arn:[^:]+:(rds|secretsmanager):/;
/** Deletes: one that meets its resource already gone is a teardown racing another. */
const DELETE = /:Delete/;
/** Reads are granted on "*" without tag conditions: no need to look tags up for them. */
const READ = /:(Describe|List)/;

export interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: unknown }) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high' | 'low'; override: boolean },
    ): void;
  };
}

export class AwsCallRecorder {
  readonly calls: RecordedCall[] = [];

  constructor(
    private readonly site: CallSite,
    private readonly tagsOf: TagLookup,
  ) {}

  /** Adds the recording middleware to each client (idempotent per client: same name, overridden). */
  attach(...clients: MiddlewareClient[]): void {
    for (const client of clients) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const fn = currentFunction.getStore();
          if (fn !== undefined) await this.record(fn, context, args.input);
          return next(args);
        },
        { step: 'initialize', name: 'dbforkIamRecorder', priority: 'high', override: true },
      );
    }
  }

  private async record(
    fn: string,
    context: { clientName?: string; commandName?: string },
    input: unknown,
  ): Promise<void> {
    const client = context.clientName ?? 'unknown';
    const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
    let mapped: MappedAuthorization[];
    try {
      mapped = authorizationsOf(
        { client, operation, input: (input ?? {}) as Record<string, unknown> },
        this.site,
      );
    } catch (error) {
      if (!(error instanceof UnmappedCallError)) throw error;
      this.calls.push({ fn, client, operation, authorizations: [], unmapped: error.message });
      return;
    }
    const missing: string[] = [];
    const authorizations = await Promise.all(
      mapped.map(async (a): Promise<AuthorizationRequest> => {
        if (!TAGGABLE.test(a.resource) || READ.test(a.action)) return a;
        const tags = await outsideAnyFunction(() => this.tagsOf(a.resource));
        if (tags === undefined && DELETE.test(a.action)) missing.push(a.resource);
        const resourceTags: Record<string, ContextValue> = Object.fromEntries(
          Object.entries(tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v]),
        );
        return { ...a, context: { ...resourceTags, ...a.context } };
      }),
    );
    const scheduleTarget = scheduleTargetOf(operation, input);
    this.calls.push({
      fn,
      client,
      operation,
      authorizations,
      ...(missing.length ? { missing } : {}),
      ...(scheduleTarget ? { scheduleTarget } : {}),
    });
  }
}
