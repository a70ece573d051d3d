import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { invokePostRestoreHook } from '../../../lambdas/core/post-restore-hook.js';
import {
  HookModuleError,
  localHookArn,
  ModuleHookInvoker,
  parseHookModules,
} from '../../../local/hook-modules.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/hooks');
const dir = mkdtempSync(join(tmpdir(), 'dbfork-hooks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const module = (file: string, code: string) => {
  const path = join(dir, file);
  writeFileSync(path, code);
  return { name: file.replace(/\.m?js$/, ''), path };
};

const live = () => ({ signal: new AbortController().signal, timeoutMs: 5000 });

describe('parseHookModules (DBFORK_POST_RESTORE_HOOK)', () => {
  it('names each module after its file, in order, paths resolved from the working directory', () => {
    expect(parseHookModules(' examples/hooks/mask.mjs , test/fixtures/hooks/throws.mjs', ROOT)).toEqual([
      { name: 'mask', path: join(ROOT, 'examples/hooks/mask.mjs') },
      { name: 'throws', path: join(FIXTURES, 'throws.mjs') },
    ]);
    expect(parseHookModules(undefined)).toEqual([]);
    expect(parseHookModules('')).toEqual([]);
  });

  it('refuses a missing file, a name Lambda would not take, and two hooks of one name', () => {
    expect(() => parseHookModules('examples/hooks/nope.mjs', ROOT)).toThrow(
      /^DBFORK_POST_RESTORE_HOOK: no file examples\/hooks\/nope\.mjs/,
    );
    const odd = module('mask me.mjs', 'export const handler = () => null;');
    expect(() => parseHookModules(odd.path)).toThrow(HookModuleError);
    expect(() => parseHookModules('examples/hooks/mask.mjs,examples/hooks/mask.mjs', ROOT)).toThrow(
      'DBFORK_POST_RESTORE_HOOK: two modules would be the hook "mask"',
    );
  });
});

describe('ModuleHookInvoker', () => {
  it("calls the module's handler as Lambda would: a JSON copy of the event, a Lambda context, the JSON of its result", async () => {
    const hook = module(
      'echo.mjs',
      `export async function handler(event, context) {
        event.touched = true;
        return { got: event, name: context.functionName, arn: context.invokedFunctionArn,
                 remaining: context.getRemainingTimeInMillis() > 0, when: new Date(0) };
      }`,
    );
    const answer = await new ModuleHookInvoker([hook]).invoke('echo', '{"id":"fork-1"}', live());
    expect(answer.functionError).toBeUndefined();
    expect(JSON.parse(answer.payload)).toEqual({
      got: { id: 'fork-1', touched: true },
      name: 'echo',
      arn: localHookArn('echo'),
      remaining: true,
      when: '1970-01-01T00:00:00.000Z',
    });
  });

  it('answers null for a handler that returns nothing', async () => {
    const hook = module('quiet.mjs', 'export const handler = async () => {};');
    expect(await new ModuleHookInvoker([hook]).invoke('quiet', '{}', live())).toEqual({ payload: 'null' });
  });

  it('reports a throw as Lambda does: FunctionError Unhandled with the error object', async () => {
    const answer = await new ModuleHookInvoker([
      { name: 'throws', path: join(FIXTURES, 'throws.mjs') },
    ]).invoke('throws', '{"name":"pr-7"}', live());
    expect(answer.functionError).toBe('Unhandled');
    expect(JSON.parse(answer.payload)).toMatchObject({
      errorType: 'TypeError',
      errorMessage: 'masking pr-7 failed: column customers.ssn does not exist',
      trace: expect.arrayContaining([expect.stringContaining('TypeError')]),
    });
  });

  it('reports a module without a handler, or one that does not load, as Lambda reports them', async () => {
    const none = module('nohandler.mjs', 'export const other = 1;');
    const broken = module('broken.mjs', 'export const handler = ;');
    const invoker = new ModuleHookInvoker([none, broken]);
    expect(await invoker.invoke('nohandler', '{}', live())).toEqual({
      functionError: 'Unhandled',
      payload: JSON.stringify({
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'nohandler.mjs.handler is undefined or not exported',
        trace: [],
      }),
    });
    const failed = await invoker.invoke('broken', '{}', live());
    expect(failed.functionError).toBe('Unhandled');
    expect(JSON.parse(failed.payload).errorType).toBe('Runtime.ImportModuleError');
  });

  it('answers an unknown hook as Lambda answers an unknown function', async () => {
    await expect(new ModuleHookInvoker([]).invoke('ghost', '{}', live())).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining(`Function not found: ${localHookArn('ghost')}`),
    });
  });

  it('stops waiting when aborted (the timeout of invokePostRestoreHook), like the SDK', async () => {
    const invoker = new ModuleHookInvoker([{ name: 'hangs', path: join(FIXTURES, 'hangs.mjs') }]);
    const controller = new AbortController();
    const waiting = invoker.invoke('hangs', '{}', { signal: controller.signal, timeoutMs: 1000 });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('runs through the same judgement as on AWS: a timeout and a returned error fail, naming the hook', async () => {
    const invoker = new ModuleHookInvoker([
      { name: 'hangs', path: join(FIXTURES, 'hangs.mjs') },
      { name: 'returns-error', path: join(FIXTURES, 'returns-error.mjs') },
    ]);
    const event = { id: 'fork-1' } as never;
    await expect(invokePostRestoreHook(invoker, 'hangs', event, 1)).rejects.toThrow(
      'post-restore hook hangs timed out: no answer within 1 s (postRestoreHook.timeoutSeconds)',
    );
    await expect(invokePostRestoreHook(invoker, 'returns-error', event, 5)).rejects.toThrow(
      'post-restore hook returns-error failed: seed data rejected: 3 rows violate orders_customer_fk',
    );
  });
});
