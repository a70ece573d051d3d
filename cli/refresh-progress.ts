/**
 * Waiting for a fork's refresh (`dbfork refresh --wait`): polls the fork and shows the refresh's
 * state and step on stderr, like waitForFork does a fork's. Resolves with the fork once refresh
 * `attempt` has succeeded (the new database serves it and the old one is gone); a refresh that
 * fails, or a fork that goes away, rejects with ForkFailedError naming the cause.
 */
import type { Io } from './context.js';
import { CliError, ForkFailedError } from './errors.js';
import type { ApiClient, Fork } from './http.js';
import { formatDuration } from './output.js';
import { progressRenderer } from './progress.js';

export interface RefreshWaitOptions {
  attempt: number;
  io: Io;
  /** @default 1000 */
  intervalMs?: number;
  /** @default 60 minutes */
  timeoutMs?: number;
  initial?: Fork;
}

function describe(fork: Fork): string {
  const refresh = fork.refresh;
  if (fork.status !== 'ready' || !refresh) return fork.status;
  return refresh.state === 'succeeded' || refresh.state === 'failed'
    ? `refresh ${refresh.state}`
    : `refreshing · ${refresh.state} · ${refresh.step}`;
}

export async function waitForRefresh(client: ApiClient, forkId: string, options: RefreshWaitOptions) {
  const { io, attempt } = options;
  const interval = options.intervalMs ?? 1000;
  const timeout = options.timeoutMs ?? 60 * 60_000;
  const started = io.now().getTime();
  const renderer = progressRenderer(io, describe);
  let fork = options.initial ?? (await client.getFork(forkId));
  try {
    for (;;) {
      const elapsed = io.now().getTime() - started;
      renderer.update(fork, elapsed);
      const refresh = fork.refresh?.attempt === attempt ? fork.refresh : undefined;
      if (refresh?.state === 'succeeded') {
        renderer.finish(
          `✓ ${fork.name} refreshed after ${formatDuration(elapsed)}: ${fork.databaseId ?? ''} serves it`,
        );
        return fork;
      }
      if (refresh?.state === 'failed' || fork.status !== 'ready') {
        renderer.finish(`✗ ${fork.name} refresh failed after ${formatDuration(elapsed)}`);
        const cause = refresh?.error
          ? `${refresh.error.message} (${refresh.error.code})`
          : `the fork is ${fork.status}`;
        throw new ForkFailedError(`the refresh of ${fork.name} failed: ${cause}`, {
          hint: `${refresh?.previousDatabaseId ?? 'its database'} still serves the fork; dbfork show ${fork.id} --history has the details`,
        });
      }
      if (elapsed >= timeout) {
        renderer.finish(undefined);
        throw new CliError(`gave up after ${formatDuration(elapsed)}: ${fork.name} is ${describe(fork)}`, {
          hint: `follow it with: dbfork show ${fork.id}`,
        });
      }
      await io.sleep(interval);
      fork = await client.getFork(fork.id);
    }
  } catch (error) {
    renderer.finish(undefined);
    throw error;
  }
}
