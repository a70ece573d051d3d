import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { MethodNotAllowedError } from '../core/errors.js';
import { lazyRuntime } from '../core/runtime-assembly.js';
import type { RuntimePart } from '../core/runtime-parts.js';
import type { RuntimeWith, ServiceName } from '../core/runtime-types.js';
import { traced } from '../core/tracing.js';
import { toApiRequest } from './request.js';
import { errorResponse, json } from './respond.js';
import { type Route, Router } from './router.js';

/**
 * The HTTP API (API Gateway REST, proxy integration, AWS_IAM auth): route → parse (zod) → domain →
 * response. Every failure becomes `{"error": {code, message, details}}`.
 */
export type Api = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** Serves these routes on this runtime. */
export function serveRoutes<S extends ServiceName>(rt: RuntimeWith<S>, routes: readonly Route<S>[]): Api {
  const router = new Router(routes);
  return async (event) => {
    const requestId = event.requestContext?.requestId;
    const started = Date.now();
    let result: APIGatewayProxyResult;
    try {
      const { route, params } = router.match(event.httpMethod, event.path);
      const request = toApiRequest(event, params);
      result = json(await route.handle(request, rt), requestId);
    } catch (error) {
      result = errorResponse(error, rt.logger, requestId);
      if (error instanceof MethodNotAllowedError) {
        result.headers = { ...result.headers, allow: router.allowedMethods(event.path).join(', ') };
      }
    }
    rt.logger.info('request', {
      method: event.httpMethod,
      path: event.path,
      statusCode: result.statusCode,
      durationMs: Date.now() - started,
    });
    return result;
  };
}

/**
 * The entry point of one API function (lambdas/api/functions/): its routes, on a runtime of its
 * own services only, built on the first request.
 */
export function lambdaApi<S extends ServiceName>(
  parts: readonly RuntimePart<S>[],
  routes: readonly Route<S>[],
): Api {
  const runtime = lazyRuntime(parts);
  let api: Api | undefined;
  return traced('api', (event) => {
    api ??= serveRoutes(runtime(), routes);
    return api(event);
  });
}
