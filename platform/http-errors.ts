/**
 * HTTP-level errors as GraphQL-shaped JSON, for the router and every subgraph server: whatever goes wrong before
 * Apollo Server sees an operation (wrong method or content type, malformed or oversized JSON, a batch, an unknown
 * route, a bug in a route) answers `{"errors":[{"message","extensions":{"code"}}]}` with a 4xx/5xx status —
 * never express's HTML page, never a stack trace, in any mode. Also the Apollo plugin that turns an operation
 * that cannot be chosen (unknown or missing `operationName`) into a 400 instead of the 500 the gateway gives.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import express from 'express';
import type { ErrorCode } from './errors';
import { shopError } from './errors';

export interface ErrorBody {
  errors: { message: string; extensions: { code: string; [key: string]: unknown } }[];
}

export function errorBody(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return { errors: [{ message, extensions: { code, ...extra } }] };
}

function send(res: express.Response, status: number, body: ErrorBody) {
  // A handler may fail after it started answering; then there is nothing left to say.
  if (res.headersSent) return;
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/**
 * What POST/GET /graphql accepts, in front of Apollo: GET and POST only (405 otherwise), POST as application/json
 * (415 otherwise), a body of at most `maxBodyBytes` (413), valid JSON (400), one operation per request (400 for a
 * JSON array: batching is off, so one request cannot carry unbounded work).
 */
export function graphqlRequestGuard(options: { maxBodyBytes: number }): express.RequestHandler[] {
  const allowMethods: express.RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'POST') return next();
    // OPTIONS stays possible for CORS preflights handled elsewhere; nothing here answers it.
    res.setHeader('allow', 'GET, POST');
    send(res, 405, errorBody('BAD_USER_INPUT', `${req.method} is not supported: send operations with POST (or GET for queries)`, { reason: 'METHOD_NOT_ALLOWED' }));
  };
  const requireJson: express.RequestHandler = (req, res, next) => {
    if (req.method !== 'POST' || req.is('application/json')) return next();
    send(res, 415, errorBody('BAD_USER_INPUT', 'Send operations as Content-Type: application/json', { reason: 'UNSUPPORTED_MEDIA_TYPE' }));
  };
  const refuseBatches: express.RequestHandler = (req, res, next) => {
    if (!Array.isArray(req.body)) return next();
    send(res, 400, errorBody('BAD_USER_INPUT', 'Batched requests are not supported: send one operation per request', { limit: 'batch' }));
  };
  return [allowMethods, requireJson, express.json({ limit: options.maxBodyBytes }), refuseBatches];
}

/** body-parser's error types, mapped to a status and a message that says what to fix. */
function describe(error: { type?: string; status?: number; limit?: number }): { status: number; body: ErrorBody } | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, body: errorBody('BAD_USER_INPUT', 'The request body is not valid JSON', { reason: 'MALFORMED_JSON' }) };
    case 'entity.too.large':
      return {
        status: 413,
        body: errorBody('BAD_USER_INPUT', `The request body is larger than ${error.limit} bytes`, { limit: 'bodySize', max: error.limit }),
      };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, body: errorBody('BAD_USER_INPUT', 'Unsupported content encoding or charset', { reason: 'UNSUPPORTED_MEDIA_TYPE' }) };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, body: errorBody('BAD_USER_INPUT', 'The request body was incomplete', { reason: 'INCOMPLETE_BODY' }) };
    default:
      // Other 4xx raised on purpose by express or a route keep their status; the message stays generic.
      if (error.status && error.status >= 400 && error.status < 500) {
        return { status: error.status, body: errorBody('BAD_USER_INPUT', 'The request was refused') };
      }
      return undefined;
  }
}

/**
 * Mount last: a JSON 404 for unknown routes and a JSON error handler for everything passed to `next(error)`.
 * Unexpected errors are logged whole and answered with a bare INTERNAL_SERVER_ERROR.
 */
export function installErrorHandlers(app: express.Express, options: { log?: (error: unknown) => void } = {}) {
  app.use((req, res) => {
    send(res, 404, errorBody('NOT_FOUND', `Nothing at ${req.method} ${req.path}`));
  });
  const handler: express.ErrorRequestHandler = (error, _req, res, _next) => {
    const known = describe(error ?? {});
    if (known) return send(res, known.status, known.body);
    (options.log ?? ((e) => console.error('[http] unexpected error:', e)))(error);
    send(res, 500, errorBody('INTERNAL_SERVER_ERROR', 'Internal server error'));
  };
  app.use(handler);
}

/**
 * graphql-js picks the operation to run from `operationName`; when none fits (an unknown name, or several
 * operations and no name) that is the client's mistake: answer 400 BAD_USER_INPUT before execution.
 */
export const operationResolutionPlugin: ApolloServerPlugin<any> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request, document }) {
        if (operation) return;
        const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition').length;
        const message = request.operationName
          ? `Unknown operation named "${request.operationName}"`
          : `The document has ${operations} operations: name the one to run in operationName`;
        throw shopError('BAD_USER_INPUT', message, { reason: 'OPERATION_RESOLUTION', http: { status: 400 } });
      },
    };
  },
};
