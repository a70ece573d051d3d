/** Turns the per-mode workflow samples into the results' figures; a mode not measured stays null with its reason. */
import type { ModeMeasurement, WorkflowSample } from './control-plane.js';
import type { DetectionLagFigure, PerForkFigure } from './results.js';
import { mean, percentile, ratio } from './stats.js';

export interface ControlPlaneFigures {
  detectionLagMs: DetectionLagFigure;
  transitionsPerFork: PerForkFigure;
  lambdaInvocationsPerFork: PerForkFigure;
  pending: Record<string, string>;
}

function samplesOf(mode: ModeMeasurement): WorkflowSample[] | undefined {
  return 'samples' in mode ? mode.samples : undefined;
}

function lags(samples: WorkflowSample[] | undefined): number[] {
  return (samples ?? []).flatMap((s) => (s.lag ? [s.lag.awsMs] : []));
}

function perFork(
  eventDriven: WorkflowSample[] | undefined,
  poll: WorkflowSample[] | undefined,
  pick: (s: WorkflowSample) => number,
): PerForkFigure {
  const e = eventDriven ? mean(eventDriven.map(pick)) : null;
  const p = poll ? mean(poll.map(pick)) : null;
  return { eventDriven: e, pollBaseline: p, eventDrivenVsPollBaseline: ratio(e, p) };
}

export function controlPlaneFigures(
  poll: ModeMeasurement,
  eventDriven: ModeMeasurement,
  halfEventsDropped: ModeMeasurement = { pending: 'pending: not measured in this run' },
): ControlPlaneFigures {
  const pollSamples = samplesOf(poll);
  const eventSamples = samplesOf(eventDriven);
  const pending: Record<string, string> = {};
  if ('pending' in eventDriven) {
    for (const path of [
      'detectionLagMs.p50',
      'detectionLagMs.p95',
      'transitionsPerFork.eventDriven',
      'lambdaInvocationsPerFork.eventDriven',
    ]) {
      pending[path] = eventDriven.pending;
    }
  }
  if ('pending' in poll) {
    for (const path of [
      'detectionLagMs.pollBaselineP95',
      'transitionsPerFork.pollBaseline',
      'lambdaInvocationsPerFork.pollBaseline',
    ]) {
      pending[path] = poll.pending;
    }
  }
  if ('pending' in halfEventsDropped) {
    for (const path of ['detectionLagMs.halfEventsDroppedP50', 'detectionLagMs.halfEventsDroppedP95']) {
      pending[path] = halfEventsDropped.pending;
    }
  }
  const droppedLags = lags(samplesOf(halfEventsDropped));
  const pollLags = lags(pollSamples);
  const eventLags = lags(eventSamples);
  const missing = [...(pollSamples ?? []), ...(eventSamples ?? [])].filter((s) => s.lag === null);
  if (missing.length > 0) {
    pending['detectionLagMs.samples'] =
      `no lag for ${missing.length} fork(s): the emulator's restored event or the next step was not found`;
  }
  const p95 = percentile(eventLags, 95);
  const pollP95 = percentile(pollLags, 95);
  return {
    detectionLagMs: {
      p50: percentile(eventLags, 50),
      p95,
      pollBaselineP50: percentile(pollLags, 50),
      pollBaselineP95: pollP95,
      samples: Math.max(pollLags.length, eventLags.length),
      p95VsPollBaseline: ratio(p95, pollP95),
      halfEventsDroppedP50: percentile(droppedLags, 50),
      halfEventsDroppedP95: percentile(droppedLags, 95),
    },
    transitionsPerFork: perFork(eventSamples, pollSamples, (s) => s.transitions),
    lambdaInvocationsPerFork: perFork(eventSamples, pollSamples, (s) => s.lambdaInvocations),
    pending,
  };
}
