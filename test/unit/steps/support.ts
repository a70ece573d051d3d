/**
 * Set-up shared by the step tests: the fork store runs on moto's DynamoDB (its conditional
 * transitions are part of what a step does), every other AWS service is mocked so the exact
 * requests can be asserted.
 */

import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
} from '@aws-sdk/client-rds';
import type { ForkRecord, ForkStep } from '../../../lambdas/core/fork.js';
import { STEPS } from '../../../lambdas/core/fork.js';
import type { Step, WorkflowState } from '../../../lambdas/steps/step.js';
import { motoEndpoint } from '../../support/moto.js';
import {
  type MockedRuntime,
  mockedRuntimeWithMotoStore,
  type TestRuntimeOptions,
} from '../../support/runtime.js';
import { clusterNotFound } from '../core/cluster-fixtures.js';
import {
  FORK_ID,
  forkInstance,
  forkRecord,
  instanceNotFound,
  SOURCE_ARN,
  SOURCE_ID,
  sourceInstance,
} from '../core/fixtures.js';

export type StepTest = MockedRuntime & { fork: ForkRecord };

/** The record of a fork that has reached `step`: source resolved past resolving-source, backup from selecting-backup on. */
export function forkAt(step: ForkStep, overrides: Partial<ForkRecord> = {}): ForkRecord {
  const { status, order, progress } = STEPS[step];
  return forkRecord({
    status,
    step,
    order,
    progress,
    ...(order > STEPS['resolving-source'].order
      ? { source: { id: SOURCE_ID, arn: SOURCE_ARN, engine: 'postgres', kind: 'rds-instance' as const } }
      : {}),
    ...(order >= STEPS['selecting-backup'].order
      ? {
          restore: {
            requested: { type: 'latest-backup' as const },
            resolved: { snapshotId: 'rds:orders-prod-2026-11-20-03-00' },
          },
        }
      : {}),
    ...overrides,
  });
}

/** A runtime on a fresh table holding `fork` (default: a fork just requested). */
export async function stepTest(
  fork: ForkRecord = forkRecord(),
  options: TestRuntimeOptions = {},
): Promise<StepTest> {
  const test = await mockedRuntimeWithMotoStore(motoEndpoint(), options);
  await test.rt.store.create(fork);
  test.mocks.events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  return { ...test, fork };
}

/** Runs the step twice with the same input: retried steps must give the same answer. */
export async function runTwice(
  step: Step,
  input: WorkflowState,
  test: StepTest,
): Promise<[WorkflowState, WorkflowState]> {
  const first = await step.run(input, test.rt);
  const second = await step.run(input, test.rt);
  return [first, second];
}

export function givenSource(test: MockedRuntime, overrides: Partial<DBInstance> = {}): void {
  test.mocks.rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: SOURCE_ID })
    .resolves({ DBInstances: [sourceInstance(overrides)] });
  test.mocks.rds.on(DescribeDBInstanceAutomatedBackupsCommand, { DBInstanceIdentifier: SOURCE_ID }).resolves({
    DBInstanceAutomatedBackups: [{ RestoreWindow: { EarliestTime: new Date('2026-11-13T04:00:00Z') } }],
  });
}

export function givenForkDatabase(test: MockedRuntime, overrides: Partial<DBInstance> = {}): void {
  test.mocks.rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
    .resolves({ DBInstances: [forkInstance(overrides)] });
}

export function givenNoForkDatabase(test: MockedRuntime): void {
  test.mocks.rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: FORK_ID })
    .rejects(instanceNotFound());
}

/** No Aurora or DocumentDB cluster exists (by any name). */
export function givenNoClusters(test: MockedRuntime): void {
  test.mocks.rds.on(DescribeDBClustersCommand).callsFake((input) => {
    throw clusterNotFound(input.DBClusterIdentifier);
  });
}

export const inputsOf = <T>(calls: { args: [{ input: T }] }[]): T[] =>
  calls.map((call) => call.args[0].input);
