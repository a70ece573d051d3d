import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';

/** What a synchronous invoke answered. */
export interface HookInvocation {
  /**
   * Lambda's `FunctionError` (`Unhandled`, or `Handled`): set when the function failed, and then
   * `payload` is its error object `{"errorType", "errorMessage", "trace"}`.
   */
  functionError?: string;
  /** The function's result (or error object) as JSON text; `null` when it returned nothing. */
  payload: string;
}

export interface InvokeOptions {
  /** Aborts the wait for the answer (dbfork's hook timeout). */
  signal: AbortSignal;
  /** How long the caller waits: the function's `context.getRemainingTimeInMillis()` offline. */
  timeoutMs: number;
}

/**
 * Invokes a function by name or ARN with a JSON event and waits for its answer: Lambda's
 * synchronous (RequestResponse) Invoke on AWS, a local ES module offline (local/hook-modules.ts).
 * Errors that kept the function from running (throttling, not found, access denied) are thrown as
 * the SDK throws them; the function's own failure is an answer with `functionError`.
 */
export interface HookInvoker {
  invoke(functionName: string, event: string, options: InvokeOptions): Promise<HookInvocation>;
}

/**
 * The Invoke API. Its client must not retry (lambdas/core/clients.ts `lambdaClient`): the SDK's
 * standard retries re-send after a timeout or a 5xx, which may run the function a second time
 * (Invoke, SDK model: "When an error occurs, your function may be invoked multiple times").
 */
export class LambdaHookInvoker implements HookInvoker {
  constructor(private readonly lambda: LambdaClient) {}

  async invoke(functionName: string, event: string, options: InvokeOptions): Promise<HookInvocation> {
    const out = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(event),
      }),
      { abortSignal: options.signal },
    );
    return {
      ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
      payload: out.Payload && out.Payload.length > 0 ? new TextDecoder().decode(out.Payload) : 'null',
    };
  }
}
