/**
 * detectionLagMs, transitionsPerFork, lambdaInvocationsPerFork: forks created through the offline
 * API while the emulator takes AWS's time, scaled down: a restore of 20 emulated minutes takes
 * `restoreRealMs`, and every Wait state waits its AWS seconds scaled by the same factor, so a
 * fork costs the polls (state transitions, Lambda invocations) it costs on AWS. The lag is read
 * from the execution history against the moment the emulator made the restored database
 * available (its RDS "restored" event), and scaled back to AWS time (detection-lag.ts).
 *
 * Each restore gets a slightly different delay, spread evenly over one poll interval: on AWS a
 * restore's end falls anywhere within a poll, and equal delays would all land on the same phase.
 *
 * One function per mode, one measurement for both: the poll baseline runs the synthesized
 * CreateFork with its event-driven waits turned back into 30 s poll loops (poll-loop-definition.ts);
 * the event-driven mode runs it as synthesized, once it waits on task tokens.
 */

import { NAMES } from '../lib/names.js';
import { getEmulatorEventsAt, setEmulatorConfigAt } from '../local/emulator-config.js';
import type { LocalExecution } from '../local/local-workflows.js';
import type { MotoServer } from '../local/moto-server.js';
import { renderStateMachineDefinition, StateMachineBindError } from '../local/state-machine-runner.js';
import type { CfnTemplate } from '../local/synth.js';
import {
  detectionLag,
  type LagSample,
  lambdaInvocations,
  statesEntered,
  transitions,
} from './detection-lag.js';
import {
  benchPrincipal,
  callApi,
  createExecution,
  type ForkAnswer,
  stackTemplate,
  startBenchOffline,
} from './offline-runtime.js';
import { type AslDefinition, toPollLoop, waitStates, waitsOnEvents } from './poll-loop-definition.js';

/** What a restore takes on AWS in this model (DESIGN.md §8: "a poll loop over a 20-minute restore"). */
export const EMULATED_RESTORE_MS = 20 * 60_000;
/** What resetting the master password takes on AWS in this model (an assumption: about a minute). */
export const EMULATED_PASSWORD_RESET_MS = 60_000;
/** The naive poll interval on AWS. */
export const POLL_SECONDS = 30;

export interface WorkflowSample {
  forkId: string;
  transitions: number;
  lambdaInvocations: number;
  /** null when the emulator's restored event or the next step could not be found. */
  lag: LagSample | null;
}

export type ModeMeasurement = { samples: WorkflowSample[] } | { pending: string };

export interface ControlPlaneOptions {
  forks: number;
  /** Real milliseconds standing for EMULATED_RESTORE_MS. */
  restoreRealMs: number;
}

const isCreateMachine = (_id: string, resource: { Properties?: Record<string, unknown> }) =>
  resource.Properties?.StateMachineName === NAMES.createStateMachine;

function createDefinition(template: CfnTemplate): AslDefinition {
  return renderStateMachineDefinition(template, isCreateMachine).definition as AslDefinition;
}

/** The template with CreateFork's definition replaced (rendered: its Lambda ARNs are the runner's placeholders). */
function withCreateDefinition(template: CfnTemplate, definition: AslDefinition): CfnTemplate {
  const resources = { ...(template.Resources ?? {}) };
  for (const [id, resource] of Object.entries(resources)) {
    if (!isCreateMachine(id, resource)) continue;
    const { DefinitionString: _rendered, ...properties } = resource.Properties ?? {};
    resources[id] = { ...resource, Properties: { ...properties, Definition: definition } };
  }
  return { ...template, Resources: resources };
}

export async function measurePollBaseline(
  moto: MotoServer,
  options: ControlPlaneOptions,
): Promise<ModeMeasurement> {
  const definition = toPollLoop(createDefinition(stackTemplate()), POLL_SECONDS);
  const template = withCreateDefinition(stackTemplate(), definition);
  return { samples: await measureWorkflows(moto, template, definition, options) };
}

export async function measureEventDriven(
  moto: MotoServer,
  options: ControlPlaneOptions & {
    /** Fraction of the emulator's RDS events dropped (best effort on AWS): the safety net finishes those waits. */
    dropFraction?: number;
  },
): Promise<ModeMeasurement> {
  const definition = createDefinition(stackTemplate());
  if (!waitsOnEvents(definition)) {
    return {
      pending:
        'pending: event-driven waits have not landed (the synthesized CreateFork has no .waitForTaskToken state; its waits poll)',
    };
  }
  try {
    return { samples: await measureWorkflows(moto, stackTemplate(), definition, options) };
  } catch (error) {
    // The workflow waits on task tokens, but the offline runtime cannot run it yet.
    if (!(error instanceof StateMachineBindError)) throw error;
    return {
      pending: `pending: event-driven waits are not runnable offline yet (${error.message.split('\n')[1]?.trim() ?? error.message})`,
    };
  }
}

/** The one Wait length of the definition (in seconds); the scaling assumes they are all equal. */
function waitSeconds(definition: AslDefinition): number {
  const seconds = new Set(
    Object.values(definition.States ?? {}).flatMap((s) => (s.Type === 'Wait' ? [s.Seconds ?? 0] : [])),
  );
  if (seconds.size > 1) throw new Error(`Wait states of different lengths (${[...seconds].join(', ')} s)`);
  return [...seconds][0] ?? POLL_SECONDS;
}

async function measureWorkflows(
  moto: MotoServer,
  template: CfnTemplate,
  definition: AslDefinition,
  options: ControlPlaneOptions & { dropFraction?: number },
): Promise<WorkflowSample[]> {
  const scale = EMULATED_RESTORE_MS / options.restoreRealMs;
  const waitMs = (waitSeconds(definition) * 1000) / scale;
  const bench = await startBenchOffline(moto, {
    quotas: { maxLiveForksPerOwner: options.forks, maxLiveForksPerSource: options.forks },
    waitMs,
    template,
  });
  try {
    const restoreState = taskRunningStep(template, definition, 'restore');
    await setEmulatorConfigAt(moto.endpoint, {
      delayMs: 0,
      delaysMs: { passwordReset: EMULATED_PASSWORD_RESET_MS / scale },
      events: { dropFraction: options.dropFraction ?? 0 },
    });

    const executions: LocalExecution[] = [];
    for (let i = 0; i < options.forks; i++) {
      // Delays spread evenly over one poll interval (see the module comment).
      const restoreMs = Math.round(options.restoreRealMs + ((i + 0.5) / options.forks) * waitMs);
      await setEmulatorConfigAt(moto.endpoint, { delaysMs: { restore: restoreMs } });
      const created = await callApi<ForkAnswer>(bench.mode.apiUrl, 'POST', '/v1/forks', {
        body: { source: bench.sourceId, name: `lag-${i}`, ttlHours: 1 },
        principal: benchPrincipal(0),
      });
      if (created.status !== 202 || !created.body.id) {
        throw new Error(`create answered ${created.status}: ${JSON.stringify(created.body)}`);
      }
      const execution = createExecution(bench.mode, created.body.id);
      executions.push(execution);
      // The emulator fixes a restore's delay when it is asked for the restore: wait for that.
      await restoreRequested(execution, restoreState);
    }
    await bench.mode.workflows.idle();
    const failed = executions.filter((e) => e.status !== 'SUCCEEDED');
    if (failed.length > 0) {
      throw new Error(`${failed.length} fork(s) did not get ready: ${JSON.stringify(failed[0]?.error)}`);
    }

    const restored = await restoredAt(moto.endpoint);
    const waiting = waitStates(definition);
    return executions.map((execution) => {
      const availableAt = [...restored].find(([id]) => id.startsWith(execution.forkId))?.[1];
      return {
        forkId: execution.forkId,
        transitions: transitions(execution.events),
        lambdaInvocations: lambdaInvocations(execution.events),
        lag:
          availableAt === undefined
            ? null
            : detectionLag(statesEntered(execution.events), availableAt, waiting, scale),
      };
    });
  } finally {
    await bench.stop();
  }
}

const FUNCTION_ARN = /:function:([^:]+)$/;

/** The Task state whose Lambda function runs `step` (its DBFORK_STEP). */
function taskRunningStep(template: CfnTemplate, definition: AslDefinition, step: string): string {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    if (state.Type !== 'Task') continue;
    const parameters = state.Parameters as { FunctionName?: unknown } | undefined;
    const arn = String(parameters?.FunctionName ?? state.Resource ?? '');
    const logicalId = FUNCTION_ARN.exec(arn)?.[1];
    const environment = logicalId ? template.Resources?.[logicalId]?.Properties?.Environment : undefined;
    const variables = (environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    if (variables?.DBFORK_STEP === step) return name;
  }
  throw new Error(`no Task runs the ${step} step in the synthesized CreateFork`);
}

async function restoreRequested(execution: LocalExecution, restoreState: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!execution.events.some((e) => e.type === 'StateExited' && e.state.name === restoreState)) {
    if (execution.status !== 'RUNNING') throw new Error(`fork ${execution.forkId} ended before its restore`);
    if (Date.now() > deadline) throw new Error(`fork ${execution.forkId} did not reach its restore`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** When the emulator made each restored database available: its RDS "restored" event, by identifier. */
async function restoredAt(endpoint: string): Promise<Map<string, number>> {
  const restored = new Map<string, number>();
  for (const { event } of await getEmulatorEventsAt(endpoint)) {
    if (!event.detail.EventCategories.includes('restoration')) continue;
    restored.set(event.detail.SourceIdentifier, Date.parse(event.detail.Date));
  }
  return restored;
}
