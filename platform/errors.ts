/**
 * The error codes of the client contract (DESIGN.md) and helpers that raise them.
 * Resolvers and data access throw these; anything else becomes INTERNAL_SERVER_ERROR for clients.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { log } from './log';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR';

/** `extra` may carry more extensions (`field`, `reason`) or `http: { status }` for errors raised before execution. */
export function shopError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'Sign in first') => shopError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this') => shopError('FORBIDDEN', message);
export const badInput = (message: string, field?: string) =>
  shopError('BAD_USER_INPUT', message, field ? { field } : {});
export const notFound = (message: string) => shopError('NOT_FOUND', message);
export const conflict = (message: string) => shopError('CONFLICT', message);
/** `retryAfterSeconds` (whole seconds, at least 1) tells the client when to try again; the router turns it into Retry-After. */
export const rateLimited = (message = 'Too many requests, slow down', retryAfterSeconds?: number) =>
  shopError('RATE_LIMITED', message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });

const KNOWN_CODES = new Set<string>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  // Apollo Server's own codes for malformed operations are client errors too.
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  // The router's safelist refusing an operation outside the client's manifests (docs/persisted-operations.md).
  'PERSISTED_QUERY_NOT_IN_LIST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Apollo `formatError`: known codes pass through (minus stack traces); anything unexpected is logged
 * and, in production, replaced by a generic INTERNAL_SERVER_ERROR so no SQL or stack reaches a client.
 */
export function makeFormatError(options: { isProduction: boolean; log?: (error: unknown) => void }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (KNOWN_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      return { ...formatted, extensions: { ...extensions, code } };
    }
    // One error line with the stack, the service and the request id (platform/log.ts).
    (options.log ?? ((e) => log.error({ err: e }, 'unexpected GraphQL error')))(error);
    if (options.isProduction) {
      return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    }
    return { ...formatted, extensions: { ...extensions, code: 'INTERNAL_SERVER_ERROR' } };
  };
}
