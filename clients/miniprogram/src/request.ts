/**
 * The GraphQL fetcher of the mini-program, over `wx.request`. It sends persisted-operation ids, never the text: the
 * router serves the id from the release's registered manifest (safelist) — or, in development, from Apollo Server's
 * APQ cache, where an unknown id answers PERSISTED_QUERY_NOT_FOUND and the fetcher retries once with the text (which
 * registers it). Answers are typed results, never thrown: `{ ok: true, data }` or `{ ok: false, error }` with the
 * server's `extensions.code` (or NETWORK_ERROR / TIMEOUT / BAD_RESPONSE for what happened before an answer).
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import type { WxApi, WxFail, WxRequestSuccess } from './wx';

/**
 * A document of src/gql (codegen, documentMode "string"): its text, typed by result and variables, and `__meta__`
 * with the persisted id (`hash`, "sha256:<hex>") and the normalized text that id hashes (`body`).
 */
export interface PersistedDocument<TResult = unknown, TVariables = Record<string, unknown>> extends DocumentTypeDecoration<TResult, TVariables> {
  toString(): string;
  __meta__?: { hash?: string; body?: string } & Record<string, unknown>;
}

export type ResultOf<D> = D extends DocumentTypeDecoration<infer R, any> ? R : never;
export type VariablesOf<D> = D extends DocumentTypeDecoration<any, infer V> ? V : never;

/** The codes the shop answers (platform/errors.ts, the router's persisted-operation checks). */
export type ServerErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'INTERNAL_SERVER_ERROR'
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_REQUEST'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_NOT_SUPPORTED'
  | 'PERSISTED_QUERY_NOT_IN_LIST'
  | 'OPERATION_RESOLUTION_FAILURE';

/** No answer to read: the network failed (`wx.request` fail), the time ran out, or the body was not GraphQL JSON. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'BAD_RESPONSE';

export interface GraphQLErrorJson {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string } & Record<string, unknown>;
}

export interface ShopError {
  /** The first error's `extensions.code`; a code this kit does not know stays as the server sent it. */
  code: ServerErrorCode | ClientErrorCode | (string & {});
  message: string;
  /** The first error's extensions (`reason`, `field`, `retryAfterSeconds`, …). */
  extensions: Record<string, unknown>;
  /** Every error of the answer. */
  errors: GraphQLErrorJson[];
  /** HTTP status when an answer came. */
  statusCode?: number;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: ShopError; /** Partial data next to errors, if any. */ data: Partial<T> | null };

export interface FetcherOptions {
  wx: WxApi;
  /** The router's GraphQL URL, e.g. https://shop.example.com/graphql (a request legal domain of the mini-program). */
  endpoint: string;
  /** Per request (default 10 s); `wx.request` fails with "request:fail timeout" after it. */
  timeoutMs?: number;
  /** Sent with every request (e.g. apollographql-client-version). The Referer is WeChat's: a page cannot set it. */
  headers?: Record<string, string>;
}

export interface SendOptions {
  /** The access token (Authorization: Bearer …); none for public reads. */
  token?: string | null;
  /** GET for queries whose answer may be kept by a CDN (the id in the URL); POST otherwise (the default). */
  method?: 'GET' | 'POST';
  timeoutMs?: number;
}

export interface Fetcher {
  send<D extends PersistedDocument<any, any>>(document: D, variables: VariablesOf<D>, options?: SendOptions): Promise<Result<ResultOf<D>>>;
}

/** The operation's type and name, from the document text (codegen writes the operation first). */
export function operationOf(document: PersistedDocument<any, any>): { type: 'query' | 'mutation' | 'subscription'; name: string } {
  const match = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(String(document.toString()));
  if (!match) throw new Error('Not a named operation of src/gql (run `npm run codegen`)');
  return { type: match[1] as 'query' | 'mutation' | 'subscription', name: match[2] };
}

/** The persisted id as APQ and Apollo's manifest spell it (hex, without the "sha256:" prefix codegen adds). */
export function persistedIdOf(document: PersistedDocument<any, any>): string {
  const hash = document.__meta__?.hash;
  if (typeof hash !== 'string') throw new Error('Document without a persisted id (codegen persistedDocuments is off?)');
  return hash.replace(/^sha256:/, '');
}

const clientError = (code: ClientErrorCode, message: string, statusCode?: number): ShopError => ({ code, message, extensions: {}, errors: [], statusCode });

/** An answer as a result: GraphQL errors win over data (a partial answer is an error with its data kept). */
function toResult<T>(response: WxRequestSuccess): Result<T> {
  const body = response.data as { data?: T | null; errors?: GraphQLErrorJson[] } | string | null;
  if (!body || typeof body !== 'object' || (!('data' in body) && !Array.isArray(body.errors))) {
    return { ok: false, data: null, error: clientError('BAD_RESPONSE', `Not a GraphQL answer (HTTP ${response.statusCode})`, response.statusCode) };
  }
  if (body.errors?.length) {
    const [first] = body.errors;
    const extensions = first.extensions ?? {};
    return {
      ok: false,
      data: (body.data ?? null) as Partial<T> | null,
      error: { code: extensions.code ?? 'INTERNAL_SERVER_ERROR', message: first.message, extensions, errors: body.errors, statusCode: response.statusCode },
    };
  }
  return { ok: true, data: body.data as T };
}

export function createFetcher(options: FetcherOptions): Fetcher {
  const { wx, endpoint } = options;
  const defaultTimeout = options.timeoutMs ?? 10_000;

  const call = (request: { method: 'GET' | 'POST'; url: string; data?: Record<string, unknown>; header: Record<string, string>; timeout: number }) =>
    new Promise<{ response: WxRequestSuccess } | { failure: WxFail }>((resolve) => {
      wx.request({
        ...request,
        dataType: 'json',
        success: (response) => resolve({ response }),
        fail: (failure) => resolve({ failure }),
      });
    });

  return {
    async send(document, variables, sendOptions = {}) {
      const { type, name } = operationOf(document);
      const sha256Hash = persistedIdOf(document);
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const header: Record<string, string> = { ...options.headers };
      if (sendOptions.token) header.authorization = `Bearer ${sendOptions.token}`;
      const timeout = sendOptions.timeoutMs ?? defaultTimeout;
      const vars = (variables ?? {}) as Record<string, unknown>;

      const attempt = async (withText: boolean) => {
        // Only queries go as GET (Apollo Server refuses mutations over GET); a retry with the text is a POST, whose
        // body has room for it and which registers the id for the GETs that follow.
        const get = sendOptions.method === 'GET' && type === 'query' && !withText;
        const outcome = get
          ? await call({
              method: 'GET',
              url: `${endpoint}${endpoint.includes('?') ? '&' : '?'}operationName=${encodeURIComponent(name)}&variables=${encodeURIComponent(
                JSON.stringify(vars),
              )}&extensions=${encodeURIComponent(JSON.stringify(extensions))}`,
              // Apollo Server's CSRF prevention lets a GET through when it carries this header (no simple request).
              header: { ...header, 'x-apollo-operation-name': name },
              timeout,
            })
          : await call({
              method: 'POST',
              url: endpoint,
              data: { operationName: name, variables: vars, extensions, ...(withText ? { query: document.__meta__?.body ?? String(document.toString()) } : {}) },
              header: { ...header, 'content-type': 'application/json' },
              timeout,
            });
        if ('failure' in outcome) {
          const { errMsg } = outcome.failure;
          return { ok: false as const, data: null, error: clientError(/timeout/i.test(errMsg) ? 'TIMEOUT' : 'NETWORK_ERROR', errMsg) };
        }
        return toResult<ResultOf<typeof document>>(outcome.response);
      };

      const first = await attempt(false);
      // The router does not know the id: APQ (development, or a router with the safelist off). In enforce mode the
      // answer is PERSISTED_QUERY_NOT_IN_LIST instead, and sending the text would not help.
      if (!first.ok && first.error.code === 'PERSISTED_QUERY_NOT_FOUND') return attempt(true);
      return first;
    },
  };
}
