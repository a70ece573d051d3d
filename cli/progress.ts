/**
 * Waiting for a fork (`dbfork wait`, `create --wait`, `delete --wait`): polls the fork and shows
 * where it is on stderr — one line redrawn in place on a terminal (spinner, step, progress,
 * elapsed), or a plain line per step otherwise (CI logs). Resolves with the final fork; a fork
 * that fails (or goes away) rejects with ForkFailedError naming the cause.
 */
import type { Io } from './context.js';
import { CliError, ForkFailedError } from './errors.js';
import type { ApiClient, Fork } from './http.js';
import { formatDuration } from './output.js';

export type WaitTarget = 'ready' | 'deleted';

export interface WaitOptions {
  target: WaitTarget;
  io: Io;
  /** @default 1000 */
  intervalMs?: number;
  /** @default 60 minutes */
  timeoutMs?: number;
  /** The fork as already known (saves the first request). */
  initial?: Fork;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function isDone(fork: Fork, target: WaitTarget): boolean {
  return fork.status === target;
}

/** The step a failed create was at before its cleanup began. */
function failedAt(fork: Fork): string | undefined {
  const steps = (fork.history ?? []).filter((h) => h.status === 'creating' && h.step !== 'cleaning-up');
  return steps.at(-1)?.step;
}

function failure(fork: Fork, target: WaitTarget): ForkFailedError | undefined {
  if (target === 'ready' && fork.status === 'failed') {
    const at = failedAt(fork);
    const cause = fork.error ? `${fork.error.message} (${fork.error.code})` : 'no cause recorded';
    return new ForkFailedError(`fork ${fork.name} failed${at ? ` while ${at}` : ''}: ${cause}`, {
      hint: `dbfork show ${fork.id} has its history; whatever it had made was cleaned up`,
    });
  }
  if (target === 'ready' && (fork.status === 'deleting' || fork.status === 'deleted')) {
    return new ForkFailedError(`fork ${fork.name} is ${fork.status}; it will not become ready`);
  }
  return undefined;
}

function describe(fork: Fork): string {
  if (fork.status === 'creating' || fork.status === 'deleting') {
    return `${fork.status} · ${fork.step} · ${fork.progress}%`;
  }
  return fork.status;
}

export interface Renderer {
  update(fork: Fork, elapsedMs: number): void;
  finish(line: string | undefined): void;
}

/** Where a fork is, for the progress line. */
export type Describe = (fork: Fork) => string;

/** The progress display: one line redrawn on a terminal, a line per change otherwise; finishes once. */
export function progressRenderer(io: Io, label: Describe): Renderer {
  const inner = io.stderrIsTTY ? ttyRenderer(io, label) : plainRenderer(io, label);
  let finished = false;
  return {
    update: (f, ms) => inner.update(f, ms),
    finish: (line) => {
      if (finished) return;
      finished = true;
      inner.finish(line);
    },
  };
}

function ttyRenderer(io: Io, describe: Describe): Renderer {
  let frame = 0;
  let last = '';
  let elapsed = 0;
  let fork: Fork | undefined;
  const draw = () => {
    if (!fork) return;
    frame = (frame + 1) % SPINNER.length;
    last = `${SPINNER[frame]} ${fork.name}  ${describe(fork)}  ${formatDuration(elapsed)}`;
    io.err(`\r\x1b[2K${last}`);
  };
  const timer = setInterval(() => {
    elapsed += 120;
    draw();
  }, 120);
  timer.unref();
  return {
    update(next, elapsedMs) {
      fork = next;
      elapsed = elapsedMs;
      draw();
    },
    finish(line) {
      clearInterval(timer);
      io.err('\r\x1b[2K');
      if (line) io.err(`${line}\n`);
    },
  };
}

function plainRenderer(io: Io, describe: Describe): Renderer {
  let last = '';
  return {
    update(fork, elapsedMs) {
      const now = describe(fork);
      if (now === last) return;
      last = now;
      io.err(`[${formatDuration(elapsedMs).padStart(6)}] ${fork.name}: ${now}\n`);
    },
    finish(line) {
      if (line) io.err(`${line}\n`);
    },
  };
}

export async function waitForFork(client: ApiClient, ref: string, options: WaitOptions): Promise<Fork> {
  const { io, target } = options;
  const interval = options.intervalMs ?? 1000;
  const timeout = options.timeoutMs ?? 60 * 60_000;
  const started = io.now().getTime();
  let fork = options.initial ?? (await client.getFork(ref));
  const renderer = progressRenderer(io, describe);
  try {
    for (;;) {
      const elapsed = io.now().getTime() - started;
      renderer.update(fork, elapsed);
      const failed = failure(fork, target);
      if (failed) {
        renderer.finish(`✗ ${fork.name} ${fork.status} after ${formatDuration(elapsed)}`);
        throw failed;
      }
      if (isDone(fork, target)) {
        renderer.finish(`✓ ${fork.name} ${fork.status} after ${formatDuration(elapsed)}`);
        return fork;
      }
      if (elapsed >= timeout) {
        renderer.finish(undefined);
        throw new CliError(
          `gave up after ${formatDuration(elapsed)}: ${fork.name} is still ${describe(fork)}`,
          {
            hint: `keep waiting with: dbfork wait ${fork.id}`,
          },
        );
      }
      await io.sleep(interval);
      // By id from now on: a deleted fork's name no longer finds it.
      fork = await client.getFork(fork.id);
    }
  } catch (error) {
    renderer.finish(undefined);
    throw error;
  }
}
