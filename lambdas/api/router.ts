import { MethodNotAllowedError, RouteNotFoundError } from '../core/errors.js';
import type { RuntimeWith, ServiceName } from '../core/runtime-types.js';
import type { ApiRequest } from './request.js';
import type { ApiResponse } from './respond.js';

/** Method + path pattern (`/v1/forks/{id}`) → route; `{name}` matches one non-empty path segment. */
export type RouteHandler<S extends ServiceName> = (
  request: ApiRequest,
  rt: RuntimeWith<S>,
) => Promise<ApiResponse>;

/** A route, and the runtime services its handler needs (the function serving it builds those). */
export interface Route<S extends ServiceName = ServiceName> {
  method: string;
  pattern: string;
  handle: RouteHandler<S>;
}

export interface RouteMatch<S extends ServiceName = ServiceName> {
  route: Route<S>;
  params: Record<string, string>;
}

function segmentsOf(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not a valid escape: leave it for the parameter's validation to refuse
  }
}

export function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const expected = segmentsOf(pattern);
  const actual = segmentsOf(path);
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of expected.entries()) {
    const value = actual[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(part);
    if (param?.[1]) params[param[1]] = decode(value);
    else if (part !== value) return undefined;
  }
  return params;
}

export class Router<S extends ServiceName = ServiceName> {
  constructor(private readonly routes: readonly Route<S>[]) {}

  /** Unknown path → RouteNotFoundError (404); known path with another method → MethodNotAllowedError (405). */
  match(method: string | undefined, path: string | undefined): RouteMatch<S> {
    const verb = (method ?? '').toUpperCase();
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchPattern(route.pattern, path ?? '');
      if (!params) continue;
      if (route.method === verb) return { route, params };
      allowed.push(route.method);
    }
    if (allowed.length === 0) {
      throw new RouteNotFoundError(
        `no route ${verb} ${path ?? ''}; the API serves /v1/forks, /v1/sources and /v1/pools`,
        {
          details: [{ message: 'unknown route', method: verb, path: path ?? '' }],
        },
      );
    }
    throw new MethodNotAllowedError(`${verb} is not allowed on ${path}; use ${allowed.join(', ')}`, {
      details: [{ message: 'method not allowed', allow: allowed }],
    });
  }

  /** The methods a path accepts (for the Allow header of a 405). */
  allowedMethods(path: string | undefined): string[] {
    return this.routes
      .filter((route) => matchPattern(route.pattern, path ?? ''))
      .map((route) => route.method);
  }
}
