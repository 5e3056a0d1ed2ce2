/**
 * The open platform's wire protocol (docs/open-platform.md, "Protocol"): system parameters in headers, the string
 * that is signed, and every error code with its HTTP status. Shared by the gateway and clients/open-client.ts.
 */
import crypto from 'node:crypto';

export const OPEN_PATH_PREFIX = '/open/v1/';
export const SIGN_METHOD = 'hmac-sha256';

export const HEADERS = {
  appKey: 'x-app-key',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  session: 'x-session',
  signMethod: 'x-sign-method',
  sign: 'x-sign',
} as const;

/** The lines signed, joined by "\n": POST, path, app key, timestamp, nonce, session, hex SHA-256 of the raw body. */
export function stringToSign(parts: { path: string; appKey: string; timestamp: string; nonce: string; session: string; body: Buffer | string }): string {
  const bodyHash = crypto.createHash('sha256').update(parts.body).digest('hex');
  return ['POST', parts.path, parts.appKey, parts.timestamp, parts.nonce, parts.session, bodyHash].join('\n');
}

/** Lowercase hex HMAC-SHA256 of the string to sign with the app secret. */
export function sign(secret: string, parts: Parameters<typeof stringToSign>[0]): string {
  return crypto.createHmac('sha256', secret).update(stringToSign(parts)).digest('hex');
}

/** Every refusal of the gateway, in the order the checks run, with its HTTP status. */
export const OPEN_ERRORS = {
  // Parameters
  METHOD_NOT_ALLOWED: 405,
  MISSING_PARAMETER: 400,
  INVALID_PARAMETER: 400,
  BODY_TOO_LARGE: 413,
  UNKNOWN_METHOD: 404,
  API_DISABLED: 403,
  // Signature
  INVALID_APP_KEY: 401,
  APP_DISABLED: 403,
  TIMESTAMP_OUT_OF_RANGE: 401,
  INVALID_SIGNATURE: 401,
  // Replay
  NONCE_REPLAYED: 409,
  // Session
  INVALID_SESSION: 401,
  SESSION_APP_MISMATCH: 403,
  // Grant
  METHOD_NOT_GRANTED: 403,
  // Limits
  MINUTE_LIMIT_EXCEEDED: 429,
  DAILY_LIMIT_EXCEEDED: 429,
  // Running the operation
  API_BUSY: 503,
  SERVICE_UNAVAILABLE: 503,
  SERVICE_ERROR: 502,
  REGISTRY_UNAVAILABLE: 503,
  API_DEFINITION_INVALID: 500,
} as const;

export type OpenErrorCode = keyof typeof OPEN_ERRORS;

/** GraphQL error codes of the operation's own answer → HTTP status of the gateway's answer (the code is kept). */
export const GRAPHQL_CODE_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 403,
  RATE_LIMITED: 429,
};

export class OpenRefusal extends Error {
  readonly status: number;
  constructor(
    readonly code: OpenErrorCode,
    message: string,
    readonly extraHeaders: Record<string, string> = {},
  ) {
    super(message);
    this.status = OPEN_ERRORS[code];
  }
}
