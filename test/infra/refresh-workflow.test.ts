import { describe, expect, it } from 'vitest';
import { placeholderFunctionArn, renderDefinitions, synthesizeTemplate } from '../../local/synth.js';

/** The synthesized RefreshFork definition (lib/refresh-workflow.ts, docs/workflows.md). */

type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Seconds?: number;
  Choices?: { Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string | null }[];
  Parameters?: { FunctionName?: string };
};
type Definition = { StartAt: string; States: Record<string, State> };

const definitions = renderDefinitions(synthesizeTemplate());
const refresh = definitions.refresh as unknown as Definition;
const create = definitions.create as unknown as Definition;

const stepOf = (state: State | undefined) =>
  (state?.Parameters?.FunctionName ?? state?.Resource)?.replace(placeholderFunctionArn(''), '');

/** The states a run passes when every Choice takes its first branch (ready / the documented path). */
function happyPath(d: Definition, from: string): string[] {
  const out: string[] = [];
  let name: string | undefined = from;
  while (name && !out.includes(name)) {
    out.push(name);
    const state: State | undefined = d.States[name];
    name = state?.Type === 'Choice' ? state.Choices?.[0]?.Next : state?.Next;
  }
  return out;
}

/** Tasks whose errors undo the refresh. */
const BUILD = [
  'SelectBackup',
  'CheckSnapshot',
  'AwaitSnapshot',
  'Restore',
  'AwaitDatabase',
  'CheckDatabase',
  'CreateInstances',
  'AwaitInstances',
  'CheckInstances',
  'StageCredentials',
  'CheckCredentials',
  'SwitchSecret',
  'SwitchDns',
  'TakeOver',
];

describe('RefreshFork definition', () => {
  it("starts at Abandoned?, which sends the reconciler's abandon mode straight to the undo", () => {
    expect(refresh.StartAt).toBe('Abandoned?');
    expect(refresh.States['Abandoned?']).toMatchObject({ Type: 'Choice', Default: 'BeginRefresh' });
    expect(refresh.States['Abandoned?']?.Choices?.[0]?.Next).toBe('UndoRefresh');
  });

  it('walks the documented path: build the new database, switch, delete the old one', () => {
    const path = happyPath(refresh, 'BeginRefresh');
    // NothingToDo?'s first branch is the skip; the build goes on by its Default.
    expect(path.slice(0, 3)).toEqual(['BeginRefresh', 'NothingToDo?', 'Skipped']);
    expect(happyPath(refresh, 'SelectBackup')).toEqual([
      'SelectBackup',
      'SnapshotReady?',
      'Restore',
      'DatabaseReady?',
      'CreateInstances',
      'InstancesReady?',
      'StageCredentials',
      'CredentialsReady?',
      'SwitchSecret',
      'SwitchDns',
      'TakeOver',
      'AnnounceRefresh',
      'DrainOldDatabase',
      'DeleteOldDatabase',
      'OldDatabaseGone?',
      'MarkRefreshed',
      'Refreshed',
    ]);
    expect(refresh.States.DrainOldDatabase).toMatchObject({ Type: 'Wait', Seconds: 120 });
  });

  it("runs the create's own restore steps and checks on the new database", () => {
    for (const name of ['SelectBackup', 'Restore', 'CreateInstances', 'CheckDatabase', 'CheckCredentials']) {
      expect(stepOf(refresh.States[name]), name).toBe(stepOf(create.States[name]));
    }
    expect(stepOf(refresh.States.DeleteOldDatabase)).toBe('delete-database');
    expect(stepOf(refresh.States.RemoveNewDatabase)).toBe('delete-database');
  });

  it('undoes the refresh on any error up to the take-over, and fails after removing the new database', () => {
    for (const name of BUILD) {
      expect(refresh.States[name]?.Catch?.at(-1), name).toEqual({
        ErrorEquals: ['States.ALL'],
        Next: 'UndoRefresh',
        ResultPath: '$.error',
      });
    }
    expect(refresh.States.BeginRefresh?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], Next: 'MarkRefreshFailed', ResultPath: '$.error' },
    ]);
    expect(happyPath(refresh, 'UndoRefresh')).toEqual([
      'UndoRefresh',
      'RemoveNewDatabase',
      'NewDatabaseGone?',
      'MarkRefreshFailed',
      'RefreshFailed',
    ]);
    expect(refresh.States.RefreshFailed).toMatchObject({ Type: 'Fail', Error: 'RefreshFailed' });
  });

  it("never undoes after the take-over: the announcement and the old database's removal carry on to the end", () => {
    const after = ['AnnounceRefresh', 'DeleteOldDatabase', 'AwaitOldDatabaseGone', 'CheckOldDatabaseGone'];
    for (const name of after) {
      const targets = (refresh.States[name]?.Catch ?? []).map((c) => c.Next);
      expect(targets, name).not.toContain('UndoRefresh');
      expect(
        refresh.States[name]?.Retry?.some((r) => r.ErrorEquals.includes('States.ALL')),
        name,
      ).toBe(true);
    }
    expect(refresh.States.AnnounceRefresh?.Catch?.[0]?.Next).toBe('DrainOldDatabase');
    expect(refresh.States.DeleteOldDatabase?.Catch?.[0]?.Next).toBe('MarkRefreshed');
  });
});
