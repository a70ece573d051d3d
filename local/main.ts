/**
 * `npm run local` (scripts/local.sh) → `npx tsx local/main.ts`: dbfork offline until Ctrl-C.
 *
 * Environment:
 *   DBFORK_PORT            API port on 127.0.0.1 (default 3000)
 *   DBFORK_AWS_ENDPOINT    use this running emulator: start none, seed no demo source
 *   DBFORK_ALLOWED_SOURCES sources allowed besides those tagged dbfork:allow-fork=true (comma-separated)
 *   DBFORK_LOG_LEVEL       DEBUG, INFO, WARN (default), ERROR or SILENT; logs go to stderr
 *   DBFORK_LOCAL_WAIT_MS   how long each workflow Wait state waits (default 1000 ms)
 *   DBFORK_MAX_FORKS_PER_OWNER, DBFORK_MAX_FORKS_PER_SOURCE
 *                          live-fork quotas (the stack's defaults unless set); the automation
 *                          principal that owns commanded forks counts as one owner
 *   DBFORK_POST_RESTORE_HOOK  post-restore hook modules (comma-separated ES modules exporting
 *                          `handler(event, context)`; the first is the default, each is named
 *                          after its file: examples/hooks/mask.mjs is the hook `mask`)
 *   DBFORK_POST_RESTORE_HOOK_TIMEOUT  seconds a hook may run (default 300, at most 840)
 *   DBFORK_EXPIRY_WARNING_MINUTES  minutes before expiry that `Fork Expiring` is published (default 60)
 *   DBFORK_POOLS           warm pools, source=size pairs: "orders-postgres=2,analytics-aurora=1"
 *   DBFORK_RECONCILE_MS    milliseconds between reconciler runs, which refill the warm pools too
 *                          (default 30000; 0 turns the timer off)
 */
import { MAX_HOOK_TIMEOUT_SECONDS } from '../lambdas/core/hook-config.js';
import { type PoolConfig, parsePoolsSpec } from '../lambdas/core/pool-config.js';
import { tryThis } from './banner.js';
import { HookModuleError, type LocalHook, parseHookModules } from './hook-modules.js';
import { parseLogLevel } from './logger.js';
import { startOffline } from './offline.js';
import { parseSourceList } from './offline-env.js';

// The SDK's once-per-process notice that Node 20 support ends in 2027 is not news here (as in the tests).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const say = (line: string) => process.stderr.write(`dbfork: ${line}\n`);

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    say(`${name}=${raw} is not a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return value;
}

/** A quota the variable sets, or none (the stack's default applies). */
function quotaFromEnv<K extends string>(name: string, key: K): Partial<Record<K, number>> {
  if (!process.env[name]) return {};
  return { [key]: intFromEnv(name, 1, 1, 100_000) } as Partial<Record<K, number>>;
}

// Ctrl-C reaches every process of the terminal's group and tsx relays it too: repeats within a
// second are the same request. A later one stops at once (the emulator follows its parent out).
let stopRequestedAt: number | undefined;
let stop: (() => Promise<void>) | undefined;
function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (stopRequestedAt !== undefined) {
    if (now - stopRequestedAt < 1000) return;
    say('stopping now');
    process.exit(130);
  }
  stopRequestedAt = now;
  if (!stop) process.exit(130);
  say(`${signal}: stopping…`);
  stop().then(
    () => process.exit(0),
    (error: unknown) => {
      say(`could not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const port = intFromEnv('DBFORK_PORT', 3000, 1, 65535);
let postRestoreHooks: LocalHook[] = [];
try {
  postRestoreHooks = parseHookModules(process.env.DBFORK_POST_RESTORE_HOOK);
} catch (error) {
  if (!(error instanceof HookModuleError)) throw error;
  say(error.message);
  process.exit(2);
}
let pools: PoolConfig[] = [];
try {
  pools = parsePoolsSpec(process.env.DBFORK_POOLS ?? '');
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(2);
}
const awsEndpoint = process.env.DBFORK_AWS_ENDPOINT || undefined;
try {
  const mode = await startOffline({
    port,
    ...(awsEndpoint ? { awsEndpoint } : {}),
    allowedSources: parseSourceList(process.env.DBFORK_ALLOWED_SOURCES),
    logLevel: parseLogLevel(process.env.DBFORK_LOG_LEVEL),
    waitMs: intFromEnv('DBFORK_LOCAL_WAIT_MS', 1000, 0, 600_000),
    quotas: {
      ...quotaFromEnv('DBFORK_MAX_FORKS_PER_OWNER', 'maxLiveForksPerOwner'),
      ...quotaFromEnv('DBFORK_MAX_FORKS_PER_SOURCE', 'maxLiveForksPerSource'),
    },
    postRestoreHooks,
    hookTimeoutSeconds: intFromEnv('DBFORK_POST_RESTORE_HOOK_TIMEOUT', 300, 1, MAX_HOOK_TIMEOUT_SECONDS),
    expiryWarningMinutes: intFromEnv('DBFORK_EXPIRY_WARNING_MINUTES', 60, 1, 720 * 60),
    pools,
    reconcileMs: intFromEnv('DBFORK_RECONCILE_MS', 30_000, 0, 3_600_000),
    onProgress: say,
  });
  stop = mode.stop;
  process.stdout.write(tryThis(mode));
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') say(`port ${port} is in use; pick another with DBFORK_PORT=<port>`);
  else say(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
