/**
 * Post-restore hooks offline: `DBFORK_POST_RESTORE_HOOK` names local ES modules (comma-separated;
 * the first is the default, all may be asked for by name) whose exported `handler(event, context)`
 * is called as Lambda calls a Node.js function: a fresh JSON copy of the event, a Lambda-like
 * context, the JSON of the result, and a throw reported as Lambda reports it (`FunctionError:
 * Unhandled`, payload `{"errorType","errorMessage","trace"}`). The create step judges the answer
 * with the same code as on AWS (lambdas/core/post-restore-hook.ts); only the transport differs.
 * A module's hook is named after its file: `examples/hooks/mask.mjs` is the hook `mask`.
 */
import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HookInvocation, HookInvoker, InvokeOptions } from '../lambdas/core/hook-invoker.js';
import { lambdaContext, lambdaErrorObject } from './lambda-invocation.js';
import { OFFLINE_ACCOUNT, OFFLINE_REGION } from './offline-env.js';

export interface LocalHook {
  /** The hook's name (the module's file name without extension): what forks record and ask for. */
  readonly name: string;
  /** Absolute path of the ES module. */
  readonly path: string;
}

export class HookModuleError extends Error {
  override readonly name = 'HookModuleError';
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The modules of `DBFORK_POST_RESTORE_HOOK` (paths relative to `cwd`), each checked to exist. */
export function parseHookModules(raw: string | undefined, cwd = process.cwd()): LocalHook[] {
  const hooks: LocalHook[] = [];
  for (const entry of (raw ?? '').split(',').map((s) => s.trim())) {
    if (entry === '') continue;
    const path = resolve(cwd, entry);
    const name = basename(path, extname(path));
    if (!NAME.test(name)) {
      throw new HookModuleError(
        `DBFORK_POST_RESTORE_HOOK: ${entry} would be the hook "${name}"; name the file with letters, digits, - and _ (it becomes the hook's name)`,
      );
    }
    if (!existsSync(path)) throw new HookModuleError(`DBFORK_POST_RESTORE_HOOK: no file ${entry} (${path})`);
    if (hooks.some((hook) => hook.name === name)) {
      throw new HookModuleError(`DBFORK_POST_RESTORE_HOOK: two modules would be the hook "${name}"`);
    }
    hooks.push({ name, path });
  }
  return hooks;
}

/** The function ARN a local hook poses as (its context's `invokedFunctionArn`). */
export function localHookArn(name: string): string {
  return `arn:aws:lambda:${OFFLINE_REGION}:${OFFLINE_ACCOUNT}:function:${name}`;
}

/** The error the SDK throws when a call is aborted through its `abortSignal`. */
function aborted(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError' });
}

/** Lambda's answer when the invoked function is not there (Invoke API: 404 ResourceNotFoundException). */
function notFound(name: string, known: readonly string[]): Error {
  return Object.assign(
    new Error(
      `Function not found: ${localHookArn(name)} (offline hooks: ${known.join(', ') || 'none'}; see DBFORK_POST_RESTORE_HOOK)`,
    ),
    { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } },
  );
}

const unhandled = (errorType: string, errorMessage: string): HookInvocation => ({
  functionError: 'Unhandled',
  payload: JSON.stringify({ errorType, errorMessage, trace: [] }),
});

/** Invokes local hook modules by name, as Lambda would invoke the functions they stand for. */
export class ModuleHookInvoker implements HookInvoker {
  private readonly byName: ReadonlyMap<string, LocalHook>;

  constructor(hooks: readonly LocalHook[]) {
    this.byName = new Map(hooks.map((hook) => [hook.name, hook]));
  }

  async invoke(functionName: string, event: string, options: InvokeOptions): Promise<HookInvocation> {
    const hook = this.byName.get(functionName);
    if (!hook) throw notFound(functionName, [...this.byName.keys()]);
    if (options.signal.aborted) throw aborted();
    let handler: unknown;
    try {
      handler = ((await import(pathToFileURL(hook.path).href)) as { handler?: unknown }).handler;
    } catch (error) {
      const { errorType, errorMessage } = lambdaErrorObject(error);
      return unhandled('Runtime.ImportModuleError', `${errorType}: ${errorMessage}`);
    }
    if (typeof handler !== 'function') {
      return unhandled(
        'Runtime.HandlerNotFound',
        `${basename(hook.path)}.handler is undefined or not exported`,
      );
    }
    // Given up on while the module loaded: never start the hook after the wait is over.
    if (options.signal.aborted) throw aborted();
    const context = lambdaContext({
      functionName,
      functionArn: localHookArn(functionName),
      timeoutSeconds: options.timeoutMs / 1000,
    });
    // Settles either way, so a handler that fails after the wait was abandoned is no unhandled rejection.
    const answer = Promise.resolve()
      .then(() => (handler as (event: unknown, context: unknown) => unknown)(JSON.parse(event), context))
      .then(
        (result): HookInvocation => ({ payload: JSON.stringify(result ?? null) ?? 'null' }),
        (error: unknown): HookInvocation => ({
          functionError: 'Unhandled',
          payload: JSON.stringify(lambdaErrorObject(error)),
        }),
      );
    return new Promise<HookInvocation>((resolvePromise, reject) => {
      const onAbort = () => reject(aborted());
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      void answer.then((result) => {
        options.signal.removeEventListener('abort', onAbort);
        resolvePromise(result);
      });
    });
  }
}
