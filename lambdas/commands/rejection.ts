import type { ErrorDetail } from '../core/errors.js';

/**
 * The detail of `Fork Command Rejected` (source `dbfork`): the API's error object with its HTTP
 * status, and the command as it came. The command's detail is the sender's own input (a create body,
 * a fork reference) and carries no secret; an oversized one is left out rather than echoed.
 */
export interface CommandRejection {
  error: { code: string; message: string; status: number; details: ErrorDetail[] };
  command: { detailType: string; source: string; id: string; detail: unknown };
  /** How many times the command was tried (SQS receives). */
  attempts: number;
  /** A failure (5xx) on the last try: the command is in the dead-letter queue. */
  deadLettered: boolean;
}

/** Far under EventBridge's 256 KB entry limit, with room for the error. */
export const MAX_ECHOED_DETAIL_BYTES = 64 * 1024;

/** What can be read of the message, even when it is no EventBridge event at all. */
export function commandSummary(body: string): CommandRejection['command'] {
  let event: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      event = parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: nothing to echo but its size
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const detail = event.detail;
  const bytes = Buffer.byteLength(JSON.stringify(detail ?? null));
  return {
    detailType: text(event['detail-type']),
    source: text(event.source),
    id: text(event.id),
    detail:
      bytes > MAX_ECHOED_DETAIL_BYTES
        ? { omitted: `the detail is ${bytes} bytes; only up to ${MAX_ECHOED_DETAIL_BYTES} are echoed` }
        : (detail ?? null),
  };
}
