/**
 * Typed client of the emulator's faithful-mode control endpoint (local/moto/faithful/control.py):
 * `GET|POST <endpoint>/dbfork-emulator/config`. `POST /moto-api/reset` puts it back to the
 * launch defaults. What each setting means: docs/aws-fidelity.md.
 */

/** The kinds of wait the faithful mode simulates, each with its own delay. */
export type EmulatorDelayKind = 'restore' | 'create' | 'snapshot' | 'passwordReset' | 'modify' | 'delete';

/** AWS statuses a restore can end in instead of `available`. */
export type RestoreFailureStatus =
  | 'failed'
  | 'incompatible-credentials'
  | 'incompatible-network'
  | 'incompatible-option-group'
  | 'incompatible-parameters'
  | 'incompatible-restore'
  | 'inaccessible-encryption-credentials'
  | 'restore-error'
  | 'storage-full';

export interface EmulatorConfig {
  readonly faithful: boolean;
  readonly delaysMs: Readonly<Record<EmulatorDelayKind, number>>;
  readonly failures: {
    /** The status the next restore (instance or cluster) ends in; used once. */
    readonly nextRestore: RestoreFailureStatus | null;
    /** The status a restore of this target identifier ends in (every time, until reset). */
    readonly restoreTargets: Readonly<Record<string, RestoreFailureStatus | null>>;
  };
}

export interface EmulatorConfigPatch {
  readonly faithful?: boolean;
  /** Sets every delay. */
  readonly delayMs?: number;
  readonly delaysMs?: Partial<Record<EmulatorDelayKind, number>>;
  readonly failures?: Partial<EmulatorConfig['failures']>;
}

const PATH = '/dbfork-emulator/config';

export async function getEmulatorConfigAt(endpoint: string): Promise<EmulatorConfig> {
  return (await call(endpoint, { method: 'GET' })) as EmulatorConfig;
}

/** Merges `patch` into the running config; resolves to the config after the change. */
export async function setEmulatorConfigAt(
  endpoint: string,
  patch: EmulatorConfigPatch,
): Promise<EmulatorConfig> {
  return (await call(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(patch),
  })) as EmulatorConfig;
}

async function call(endpoint: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(`${endpoint.replace(/\/$/, '')}${PATH}`, init);
  const body = (await response.json()) as unknown;
  if (!response.ok) {
    const message =
      typeof body === 'object' && body !== null && 'error' in body
        ? String(body.error)
        : `HTTP ${response.status}`;
    throw new Error(`emulator config: ${message}`);
  }
  return body;
}
