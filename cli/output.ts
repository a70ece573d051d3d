/** How the CLI shows things to a person (commands print JSON instead with --json). */
import { describeRestore } from './args.js';
import type { Backups, Fork, Pool, Source } from './http.js';

/** `pr-1234 (fork-…)`, or just the id when the fork has no name of its own. */
export function forkLabel(fork: Pick<Fork, 'id' | 'name'>): string {
  return fork.name === fork.id ? fork.id : `${fork.name} (${fork.id})`;
}

/** `1d 2h`, `1h 30m`, `45s`: the two largest units. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/** `in 1h 30m` / `3m ago`. */
export function relative(iso: string | undefined | null, now: Date): string {
  if (!iso) return '-';
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return iso;
  return ms >= 0 ? `in ${formatDuration(ms)}` : `${formatDuration(ms)} ago`;
}

/** `2026-11-20 10:00:00Z` */
export function shortTime(iso: string | undefined | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** The readable part of an IAM ARN: `user/alice`, `assumed-role/dev/alice`. */
export function shortPrincipal(arn: string): string {
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(arn);
  return m?.[1] ?? arn;
}

/** Left-aligned columns separated by two spaces. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function stepLabel(fork: Fork): string {
  if (fork.status === 'creating' || fork.status === 'deleting') return `${fork.step} ${fork.progress}%`;
  return fork.status === 'failed' && fork.step !== 'failed' ? fork.step : '';
}

export function forksTable(forks: readonly Fork[], now: Date): string {
  if (forks.length === 0) return 'No forks.';
  return table(
    ['NAME', 'ID', 'SOURCE', 'STATUS', 'STEP', 'EXPIRES', 'OWNER'],
    forks.map((f) => [
      f.name,
      f.id,
      f.source?.id ?? f.lineage?.sourceId ?? '-',
      f.status,
      stepLabel(f) || '-',
      f.status === 'deleted' || f.status === 'failed' ? '-' : relative(f.expiresAt, now),
      shortPrincipal(f.owner),
    ]),
  );
}

/** Where a fork's latest refresh is: `2 running · restoring`, `2 succeeded 10:14`, `2 failed: …`. */
export function refreshLabel(refresh: NonNullable<Fork['refresh']>): string {
  const when = refresh.finishedAt ? ` ${shortTime(refresh.finishedAt)}` : '';
  if (refresh.state === 'failed') {
    return `#${refresh.attempt} failed${when}${refresh.error ? `: ${refresh.error.message}` : ''}`;
  }
  if (refresh.state === 'succeeded') return `#${refresh.attempt} succeeded${when}`;
  return `#${refresh.attempt} ${refresh.state} · ${refresh.step}`;
}

/** `mask-pii: succeeded in 12s (2026-11-20 10:00:00Z)`, `mask-pii: pending`. */
export function hookLabel(hook: NonNullable<Fork['hook']>): string {
  const took = hook.durationMs !== undefined ? ` in ${formatDuration(hook.durationMs)}` : '';
  const at = hook.startedAt ? ` (${shortTime(hook.startedAt)})` : '';
  return `${hook.name}: ${hook.status}${hook.status === 'succeeded' || hook.status === 'failed' ? took : ''}${at}`;
}

/** When the `Fork Expiring` event fires (or fired) for the fork's expiry; undefined when not scheduled. */
export function expiryWarning(fork: Fork, now: Date): string | undefined {
  if (fork.expiryWarningSentAt) {
    return `Fork Expiring sent ${shortTime(fork.expiryWarningSentAt)} (${relative(fork.expiryWarningSentAt, now)})`;
  }
  const live = fork.status === 'creating' || fork.status === 'ready';
  if (!fork.expiryWarningAt || !live) return undefined;
  return `Fork Expiring at ${shortTime(fork.expiryWarningAt)} (${relative(fork.expiryWarningAt, now)})`;
}

/** `the warm pool of orders-postgres (member ready since 2026-11-20 10:00:00Z, 2h ago)`. */
export function poolOrigin(pool: NonNullable<Fork['restore']['pool']>, now: Date): string {
  const since = pool.memberReadyAt
    ? `member ready since ${shortTime(pool.memberReadyAt)}, ${relative(pool.memberReadyAt, now)}`
    : `claimed ${shortTime(pool.claimedAt)}`;
  return `came from the warm pool of ${pool.source} (${since})`;
}

/** A fork's details, one field a line. */
export function forkDetails(fork: Fork, now: Date, options: { history?: boolean } = {}): string {
  const rows: [string, string][] = [];
  const source = fork.source
    ? `${fork.source.id} (${[fork.source.kind, fork.source.engine].filter(Boolean).join(', ')})`
    : (fork.lineage?.sourceId ?? '-');
  rows.push(['source', source]);
  const resolved = fork.lineage?.snapshotId
    ? ` → snapshot ${fork.lineage.snapshotId}`
    : fork.lineage?.restoreTime
      ? ` → ${fork.lineage.restoreTime}`
      : '';
  rows.push(['from', `${describeRestore(fork.restore.requested)}${resolved}`]);
  if (fork.restore.pool) rows.push(['warm pool', poolOrigin(fork.restore.pool, now)]);
  if (fork.status === 'creating' || fork.status === 'deleting') rows.push(['step', stepLabel(fork)]);
  if (fork.endpoint) rows.push(['endpoint', `${fork.endpoint.host}:${fork.endpoint.port}`]);
  if (fork.dnsName) rows.push(['dns name', fork.dnsName]);
  if (fork.secretArn) rows.push(['secret', fork.secretArn]);
  rows.push(['owner', fork.owner]);
  rows.push(['created', `${shortTime(fork.createdAt)} (${relative(fork.createdAt, now)})`]);
  if (fork.readyAt) rows.push(['ready', shortTime(fork.readyAt)]);
  if (fork.deletedAt) rows.push(['deleted', shortTime(fork.deletedAt)]);
  else if (fork.status !== 'failed')
    rows.push(['expires', `${shortTime(fork.expiresAt)} (${relative(fork.expiresAt, now)})`]);
  const warning = expiryWarning(fork, now);
  if (warning) rows.push(['warning', warning]);
  const tags = Object.entries(fork.tags ?? {});
  if (tags.length) rows.push(['tags', tags.map(([k, v]) => `${k}=${v}`).join(' ')]);
  if (fork.hook) rows.push(['hook', hookLabel(fork.hook)]);
  if (fork.error) rows.push(['error', `${fork.error.code}: ${fork.error.message}`]);
  if (fork.databaseId && fork.databaseId !== fork.id) rows.push(['database', fork.databaseId]);
  if (fork.refresh) rows.push(['refresh', refreshLabel(fork.refresh)]);
  if (fork.refreshSchedule) rows.push(['refreshes', `${fork.refreshSchedule} (UTC)`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`${forkLabel(fork)}  ${fork.status}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)];
  if (options.history && fork.history?.length) {
    lines.push('', 'history:');
    for (const entry of fork.history) {
      lines.push(`  ${shortTime(entry.at)}  ${entry.step.padEnd(21)} ${entry.message}`);
    }
  }
  return lines.join('\n');
}

export function sourcesTable(sources: readonly Source[]): string {
  if (sources.length === 0) return 'No databases found.';
  return table(
    ['SOURCE', 'KIND', 'ENGINE', 'STATUS', 'FORKABLE', 'RESTORABLE UNTIL'],
    sources.map((s) => [
      s.id,
      s.kind,
      s.engine,
      s.status,
      s.allowed ? 'yes' : 'no',
      shortTime(s.restorableWindow.latestRestorableTime),
    ]),
  );
}

export function backupsView(backups: Backups): string {
  const { source, restorableWindow: w } = backups;
  const window =
    w.earliestRestorableTime || w.latestRestorableTime
      ? `restorable from ${shortTime(w.earliestRestorableTime)} to ${shortTime(w.latestRestorableTime)}`
      : 'no restorable window';
  const head = `${source.id} (${source.kind}, ${source.engine}, ${source.status}): ${window}`;
  if (backups.backups.length === 0) return `${head}\nNo snapshots.`;
  return `${head}\n\n${table(
    ['SNAPSHOT', 'TYPE', 'STATUS', 'CREATED'],
    backups.backups.map((b) => [b.id, b.type, b.status, shortTime(b.createdAt)]),
  )}`;
}

/** The warm pools, then what each keeps running (the drivers of its bill: dbfork knows no prices). */
export function poolsView(pools: readonly Pool[]): string {
  if (pools.length === 0) return 'No warm pools.';
  const rows = pools.map((p) => [
    p.source,
    p.configured ? String(p.size) : '0 (draining)',
    String(p.ready),
    String(p.warming),
    p.oldestMemberAgeMinutes === null ? '-' : formatDuration(p.oldestMemberAgeMinutes * 60_000),
    p.instanceClass ?? '-',
  ]);
  const width = Math.max(...pools.map((p) => p.source.length));
  const costs = pools.map((p) => `  ${p.source.padEnd(width)}  ${p.cost.description}`);
  const head = table(['SOURCE', 'SIZE', 'READY', 'WARMING', 'OLDEST', 'CLASS'], rows);
  return [head, '', 'Cost drivers (dbfork knows no prices):', ...costs].join('\n');
}
