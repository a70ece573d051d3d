import { ValidationError } from './errors.js';
import * as z from './zod.js';

/**
 * The post-restore hook of the stack configuration (`postRestoreHook`): the Lambda functions dbfork
 * may invoke after a fork's database is available and before it gets its DNS name or is `ready`.
 */

/** How long a hook may run unless configured otherwise. */
export const DEFAULT_HOOK_TIMEOUT_SECONDS = 300;
/**
 * The longest a hook may run: Lambda's 900 s cap on the step function that waits for it, less
 * {@link HOOK_STEP_MARGIN_SECONDS} for the step's own reads and writes around the invoke.
 */
export const HOOK_STEP_MARGIN_SECONDS = 60;
export const MAX_HOOK_TIMEOUT_SECONDS = 900 - HOOK_STEP_MARGIN_SECONDS;

/**
 * A function name (`mask-pii`) or a function ARN, optionally qualified by a version or alias
 * (`arn:aws:lambda:eu-west-1:123456789012:function:mask-pii:prod`): the FunctionName forms of the
 * Invoke API (SDK model) that IAM can name exactly. A name is a function of the stack's own account
 * and region; partial ARNs and qualified names are refused, so the policy always names what is invoked.
 */
export const HOOK_REF_PATTERN =
  /^[A-Za-z0-9_-]{1,64}$|^arn:aws[a-z-]*:lambda:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export const hookRefSchema = z
  .string()
  .check(
    z.regex(
      HOOK_REF_PATTERN,
      'must be a Lambda function name (letters, digits, - and _, at most 64) or a function ARN',
    ),
  );

export const postRestoreHookSchema = z
  .strictObject({
    /** The hook every create runs unless the request names another from `allowed`. */
    default: z.optional(hookRefSchema),
    /** Hooks a create request may name (`hook`); the default is always allowed. */
    allowed: z._default(z.array(hookRefSchema), []),
    /** Seconds dbfork waits for a hook before failing the fork. @default 300 */
    timeoutSeconds: z._default(
      z.number().check(z.int(), z.minimum(1), z.maximum(MAX_HOOK_TIMEOUT_SECONDS)),
      DEFAULT_HOOK_TIMEOUT_SECONDS,
    ),
  })
  .check(
    z.refine(
      (hook) => hook.default !== undefined || hook.allowed.length > 0,
      'needs a default or at least one allowed hook',
    ),
  );
export type PostRestoreHookConfig = z.infer<typeof postRestoreHookSchema>;

/** Every hook a fork may run: the default and the allowed ones, each once. */
export function hooksAllowed(config: PostRestoreHookConfig | undefined): string[] {
  if (!config) return [];
  return [...new Set([...(config.default ? [config.default] : []), ...config.allowed])];
}

/**
 * The hook a new fork runs: the one the request names, which must be allowed, else the default
 * (none when there is none). There is no way to skip a default: a masking hook is the point.
 * @throws ValidationError (400) naming the hooks that may be asked for.
 */
export function hookFor(config: PostRestoreHookConfig | undefined, requested: string | undefined) {
  if (requested === undefined) return config?.default;
  const allowed = hooksAllowed(config);
  if (allowed.includes(requested)) return requested;
  const choices = allowed.length
    ? `allowed: ${allowed.join(', ')}`
    : 'this dbfork has no post-restore hooks; leave out "hook"';
  throw new ValidationError(`post-restore hook "${requested}" is not allowed (${choices})`, {
    details: [{ path: 'hook', message: 'post-restore hook not allowed', allowed }],
  });
}

/**
 * The hook a refresh runs on its new database before it takes over: the one the fork was created
 * with while the stack still allows it, else the default (none when there is none). A fork keeps
 * what it asked for, and a stack's masking default covers every database a fork is given.
 */
export function refreshHookFor(
  config: PostRestoreHookConfig | undefined,
  forkHook: string | undefined,
): string | undefined {
  if (forkHook !== undefined && hooksAllowed(config).includes(forkHook)) return forkHook;
  return config?.default;
}
