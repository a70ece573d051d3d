import { IDEMPOTENCY_HEADER, idempotencyKeySchema } from '../api/idempotency.js';
import type { ApiRequest } from '../api/request.js';
import { matchPattern, type RouteHandler } from '../api/router.js';
import { createForkRoute } from '../api/routes/create-fork.js';
import { deleteForkRoute } from '../api/routes/delete-fork.js';
import { patchForkRoute } from '../api/routes/patch-fork.js';
import { refreshForkRoute } from '../api/routes/refresh-fork.js';
import { ValidationError } from '../core/errors.js';
import * as parts from '../core/runtime-parts.js';
import type { RuntimeWith } from '../core/runtime-types.js';
import type { CommandDetailType, CommandEvent } from './command-event.js';
import { UnsupportedCommandError } from './errors.js';

/**
 * Each command is the HTTP route of the same name, run by its own handler: the same validation,
 * allow-list, quotas and idempotency, with the automation principal as the caller. The consumer
 * holds what those routes need (the create route's and the fork routes' services) and no more.
 */
export const COMMAND_PARTS = [
  parts.store,
  parts.engines,
  parts.orderable,
  parts.events,
  parts.workflows,
  parts.tasks,
  parts.schedules,
] as const;
export type CommandServices = (typeof COMMAND_PARTS)[number]['service'];
export type CommandRuntime = RuntimeWith<CommandServices>;

export interface CommandRoute {
  readonly method: string;
  /** The route's pattern; `{id}` is filled with the command's `detail.fork`. */
  readonly pattern: string;
  readonly handle: RouteHandler<CommandServices>;
  /** The route reads a JSON body: the detail less `fork` and `idempotencyKey`. */
  readonly body: boolean;
}

/**
 * The commands dbfork carries out, each by its route. A detail-type without an entry here reaches
 * the consumer all the same and is refused as `unsupported_command`.
 */
export const COMMAND_ROUTES: Readonly<Partial<Record<CommandDetailType, CommandRoute>>> = {
  'Create Fork': { method: 'POST', pattern: '/v1/forks', handle: createForkRoute, body: true },
  'Extend Fork': { method: 'PATCH', pattern: '/v1/forks/{id}', handle: patchForkRoute, body: true },
  'Delete Fork': { method: 'DELETE', pattern: '/v1/forks/{id}', handle: deleteForkRoute, body: false },
  'Refresh Fork': { method: 'POST', pattern: '/v1/forks/{id}/refresh', handle: refreshForkRoute, body: true },
};

export function commandRoute(detailType: string): CommandRoute {
  const route = COMMAND_ROUTES[detailType as CommandDetailType];
  if (route) return route;
  const supported = Object.keys(COMMAND_ROUTES).join(', ');
  throw new UnsupportedCommandError(
    `dbfork cannot carry out "${detailType}" commands yet; it takes ${supported}`,
    {
      details: [
        { path: 'detail-type', message: 'unsupported command', supported: Object.keys(COMMAND_ROUTES) },
      ],
    },
  );
}

function refuse(path: string, message: string): never {
  throw new ValidationError(`invalid command detail: ${path}: ${message}`, { details: [{ path, message }] });
}

/** `detail.idempotencyKey`, else the event's id: a redelivered event replays, never makes a second fork. */
function idempotencyKeyOf(command: CommandEvent, given: unknown): string {
  if (given === undefined) return command.id;
  const parsed = idempotencyKeySchema.safeParse(given);
  if (!parsed.success) refuse('detail.idempotencyKey', parsed.error.issues[0]?.message ?? 'is invalid');
  return parsed.data;
}

/** The fork a command is about: `detail.fork`, its id or live name (the route checks which). */
function forkOf(given: unknown): string {
  if (typeof given === 'string' && given !== '') return given;
  return refuse(
    'detail.fork',
    given === undefined ? 'is required (the fork id or name)' : 'must be a fork id or name',
  );
}

/** The request the route would get over HTTP from `caller`, with the command's detail as its body. */
export function commandRequest(command: CommandEvent, route: CommandRoute, caller: string): ApiRequest {
  const { idempotencyKey, ...detail } = command.detail;
  const key = idempotencyKeyOf(command, idempotencyKey);
  let path = route.pattern;
  let body: Record<string, unknown> = detail;
  if (route.pattern.includes('{id}')) {
    const { fork, ...rest } = detail;
    path = route.pattern.replace('{id}', encodeURIComponent(forkOf(fork)));
    body = rest;
  }
  const extra = Object.keys(body);
  if (!route.body && extra.length > 0) {
    throw new ValidationError(
      `invalid command detail: ${command['detail-type']} takes only "fork" (and "idempotencyKey"), not ${extra.map((k) => `"${k}"`).join(', ')}`,
      { details: extra.map((key) => ({ path: `detail.${key}`, message: 'unknown field' })) },
    );
  }
  return {
    method: route.method,
    path,
    params: matchPattern(route.pattern, path) ?? {},
    query: {},
    headers: { 'content-type': 'application/json', [IDEMPOTENCY_HEADER.toLowerCase()]: key },
    body: route.body ? JSON.stringify(body) : undefined,
    caller,
    requestId: command.id,
  };
}
