/** Minutes each kind of wait may take before the workflow gives up (and cleans up). */
export const WAIT_BUDGET_MINUTES = {
  snapshot: 240,
  database: 180,
  credentials: 30,
  gone: 90,
} as const;

/**
 * The safety net of an event-driven wait (docs/workflows.md): RDS events are best effort, so the
 * wait checks by itself when its heartbeat runs out — first after about a minute, then backing off
 * fourfold to every ten minutes. A 20-minute restore whose events do come costs three such checks
 * (at 1, 5 and 15 minutes), which keeps a create within its budget of 30 state transitions; one
 * whose events never come is noticed at the latest ten minutes late.
 */
export const FIRST_HEARTBEAT_SECONDS = 60;
export const HEARTBEAT_BACKOFF = 4;
export const MAX_HEARTBEAT_SECONDS = 600;

/** The heartbeat of the wait that follows the `count`-th safety-net check. */
export function heartbeatAfter(count: number): number {
  return Math.min(MAX_HEARTBEAT_SECONDS, FIRST_HEARTBEAT_SECONDS * HEARTBEAT_BACKOFF ** Math.max(0, count));
}
