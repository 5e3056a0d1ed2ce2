/**
 * /graphql straight on Node's http server, without express: express's request machinery (router, body-parser,
 * raw-body, content-type, type-is, iconv-lite, the express integration) was ~10 % of a subgraph request's CPU.
 * Apollo Server is called through its documented integration API, executeHTTPGraphQLRequest, as
 * @as-integrations/express5 does. Serves every request to a subgraph's /graphql, and the router's POSTs.
 *
 * Clients get what the express chain answered (graphqlRequestGuard, identityGate, expressMiddleware), in the same
 * order of checks — method, content type, body, batch, caller — with the same messages (http-errors.ts), except:
 * - a body over the limit is refused as soon as that is known (from Content-Length, or once the bytes read pass
 *   it) and the connection is closed after a bounded read of what the client is still sending (a lingering close);
 * - with `maxJsonDepth`, a body nesting deeper is refused (400) before anything walks it;
 * - the charset of a JSON body must be UTF-8 (iconv-lite also decoded UTF-16/32/7);
 * - no `X-Powered-By: Express`, no ETag (nor 304 for a GET that sends If-None-Match).
 */
import type http from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { parse as parseContentType } from 'content-type';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import { logUnexpectedHttpError, refusalOfError, refusals, type Refusal } from './http-errors';
import { jsonTextNestsDeeperThan } from './json-depth';
import { IdentityError, type Identity } from './identity';
import { identityOfRequest, identityRefusal, type IdentityGateOptions } from './identity-gate';

export interface GraphQLHttpOptions<TContext extends BaseContext, TCaller> {
  server: ApolloServer<TContext>;
  maxBodyBytes: number;
  /** Deepest JSON nesting accepted (the router's MAX_JSON_DEPTH); unchecked when absent. */
  maxJsonDepth?: number;
  /** Longest `operationName` accepted (the router's MAX_OPERATION_NAME_LENGTH), refused without echoing it; unchecked when absent. */
  maxOperationNameLength?: number;
  /**
   * Who calls, asked once the body has passed the guard (where the express chain had its gate); throws a Refused
   * to turn the caller away. The subgraphs' is `signedCaller` (below); the router lets everyone in.
   */
  caller(req: http.IncomingMessage): TCaller;
  context(req: http.IncomingMessage, caller: TCaller): TContext | Promise<TContext>;
  /** Unexpected errors (answered 500); default as installErrorHandlers logs them. */
  log?: (error: unknown) => void;
  /** Told of every request answered here before Apollo Server ran it (metrics: platform/metrics.ts). */
  onRefused?: (refusal: Refusal) => void;
}

/** A request answered before Apollo Server runs it. */
export class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.body.errors[0]?.message);
  }
}

/** A subgraph's door: a verified identity header signed for it (identity-gate.ts), else 401. */
export function signedCaller(options: IdentityGateOptions) {
  return (req: http.IncomingMessage): Identity => {
    try {
      return identityOfRequest(req.headers, options);
    } catch (error) {
      if (error instanceof IdentityError) throw new Refused(identityRefusal(error));
      throw error;
    }
  };
}

/** `scheme://authority` of an absolute-form request target (what a client talking to a proxy sends). */
const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
/** Where express's `app.use('/graphql', …)` matched: /graphql and below, in any case. */
const GRAPHQL_PATH = /^\/graphql(?:[/?#]|$)/i;

/** Whether this request target is the GraphQL endpoint, as express's router decided it for `app.use('/graphql')`. */
export function isGraphQLPath(url: string | undefined): boolean {
  if (!url) return false;
  return GRAPHQL_PATH.test(url[0] === '/' ? url : url.replace(ABSOLUTE_FORM, ''));
}

/** The query string with its `?` (GET operations), as the express integration took it from url.parse(). */
function searchOf(url: string): string {
  const hash = url.indexOf('#');
  const end = hash === -1 ? url.length : hash;
  const question = url.indexOf('?');
  return question === -1 || question > end ? '' : url.slice(question, end);
}

/** type-is's test (req.is, body-parser): a body is announced by Transfer-Encoding or a numeric Content-Length. */
function hasBody(req: http.IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || !Number.isNaN(Number(req.headers['content-length']));
}

/** Whether the media type is JSON, as type-is (req.is) decided it: parameters, case and spaces aside. */
function isJsonType(contentType: string | undefined): boolean {
  return Boolean(contentType) && parseContentType(contentType!, { parameters: false }).type === 'application/json';
}

/** The `charset` parameter, lower case, as body-parser read it (with the same content-type parser). */
function charsetOf(header: string): string | undefined {
  return parseContentType(header).parameters.charset?.toLowerCase();
}

/** Content-Encodings body-parser inflated (zstd where this Node has it). */
const zstd = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: zlib.createGunzip,
  deflate: zlib.createInflate,
  br: zlib.createBrotliDecompress,
  ...(zstd ? { zstd } : {}),
};

/** A refusal that leaves an unread body behind: the connection is closed after it instead of read to its end. */
const closing = (refusal: Refusal): Refusal => ({ ...refusal, headers: { ...refusal.headers, Connection: 'close' } });

/** The (decoded) body, at most `limit` bytes, counted as they arrive. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] || 'identity').toLowerCase();
  let decoder: Transform | undefined;
  if (encoding === 'identity') {
    if (Number(req.headers['content-length']) > limit) return Promise.reject(new Refused(closing(refusals.tooLarge(limit))));
  } else {
    decoder = DECODERS[encoding]?.();
    if (!decoder) return Promise.reject(new Refused(refusals.unsupportedEncoding()));
    req.pipe(decoder);
  }
  const source: Readable = decoder ?? req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const settle = (outcome: Buffer | Refusal) => {
      source.off('data', onData).off('end', onEnd).off('error', onError);
      req.off('close', onClose);
      if (decoder) {
        req.unpipe(decoder);
        decoder.on('error', () => undefined).destroy();
        // Whatever is left of the body is read off (unpipe paused it), so a kept-alive connection goes on.
        req.resume();
      }
      if (Buffer.isBuffer(outcome)) resolve(outcome);
      else reject(new Refused(outcome));
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) settle(closing(refusals.tooLarge(limit)));
      else chunks.push(chunk);
    };
    const onEnd = () => settle(Buffer.concat(chunks, received));
    // The client went away mid-body (nobody reads this answer, but the request ends like the others).
    const onClose = () => {
      if (!req.complete) settle(refusals.incompleteBody());
    };
    // The request fails only when aborted; a body that does not decompress is a plain 400, as body-parser said.
    const onError = () => settle(decoder ? refusals.refused(400) : refusals.incompleteBody());
    source.on('data', onData).on('end', onEnd).on('error', onError);
    req.on('close', onClose);
  });
}

const FIRST_NON_WHITESPACE = /^[\x20\x09\x0a\x0d]*(.?)/s;

/**
 * The JSON body as express.json() in strict mode gave it: UTF-8 (a BOM dropped), an empty body as `{}`, and only
 * an object or an array at the top (any other JSON value is malformed).
 */
async function readJson(req: http.IncomingMessage, limit: number, maxDepth: number | undefined): Promise<unknown> {
  // No charset is UTF-8; `charset=` (empty) too; body-parser refused non-`utf-` names before reading.
  const charset = charsetOf(req.headers['content-type']!) || 'utf-8';
  if (!charset.startsWith('utf-') || charset.replace(/:\d{4}$|[^0-9a-z]/g, '') !== 'utf8') {
    throw new Refused(refusals.unsupportedEncoding());
  }
  let text = (await readBody(req, limit)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = FIRST_NON_WHITESPACE.exec(text)![1];
  if (first !== '{' && first !== '[') throw new Refused(refusals.malformedJson());
  if (maxDepth !== undefined && jsonTextNestsDeeperThan(text, maxDepth)) throw new Refused(refusals.tooDeep(maxDepth));
  try {
    return JSON.parse(text);
  } catch {
    throw new Refused(refusals.malformedJson());
  }
}

const withUtf8Charset = (type: string) => (/;\s*charset=/i.test(type) ? type : `${type}; charset=utf-8`);

/** Status, headers and body as Apollo Server gave them, with what express's res.send added to a complete body. */
async function writeResponse(res: http.ServerResponse, { status, headers, body }: HTTPGraphQLResponse): Promise<void> {
  for (const [name, value] of headers) res.setHeader(name, value);
  res.statusCode = status || 200;
  if (body.kind === 'complete') {
    // express named the charset of every string body: Apollo names utf-8 everywhere but on its HTML landing page.
    const type = res.getHeader('content-type');
    res.setHeader('Content-Type', typeof type === 'string' ? withUtf8Charset(type) : 'text/html; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body.string));
    res.end(body.string);
    return;
  }
  // Incremental delivery (@defer, with a graphql-js that has it): each part goes out as Apollo produces it.
  for await (const chunk of body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * What a refused request may still send before its connection is closed: the client learns of the refusal only once it
 * reads, and a client that finishes sending first (fetch, most HTTP libraries) saw a reset (EPIPE) instead of the 413
 * when the socket closed under it. As nginx's lingering close: the answer goes out, the rest of the body is read and
 * dropped — at most LINGER_MAX_BYTES and LINGER_MAX_MS — and only then is the connection closed.
 */
export const LINGER_MAX_BYTES = 16 * 1024 * 1024;
export const LINGER_MAX_MS = 10_000;

type LingeringSocket = http.IncomingMessage['socket'] & { destroySoon?: () => void };

function lingerBeforeClose(req: http.IncomingMessage) {
  if (req.complete) return;
  const socket = req.socket as LingeringSocket;
  const destroySoon = socket.destroySoon;
  if (typeof destroySoon !== 'function') return;
  let read = 0;
  let answered = false;
  let drained = false;
  const close = (hard: boolean) => {
    clearTimeout(timer);
    req.off('data', onData).off('end', onEnd);
    socket.destroySoon = destroySoon;
    if (hard) socket.destroy();
    else destroySoon.call(socket);
  };
  const onData = (chunk: Buffer) => {
    read += chunk.length;
    if (read > LINGER_MAX_BYTES) close(true);
  };
  const onEnd = () => {
    drained = true;
    if (answered) close(false);
  };
  const timer = setTimeout(() => close(true), LINGER_MAX_MS);
  timer.unref();
  // Node closes a `Connection: close` answer's socket with destroySoon() once the answer is written: wait for the body.
  socket.destroySoon = () => {
    answered = true;
    if (drained) close(false);
  };
  req.on('data', onData).on('end', onEnd);
  req.resume();
}

function answer(res: http.ServerResponse, { status, body, headers }: Refusal, req?: http.IncomingMessage) {
  // Failing mid-answer (a streamed response): ending it would look complete, so the connection is dropped.
  if (res.headersSent) return void res.destroy();
  if (req && headers?.Connection === 'close') lingerBeforeClose(req);
  const text = JSON.stringify(body);
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** The request listener for /graphql (see isGraphQLPath); everything else stays with express. */
export function graphqlHttpHandler<TContext extends BaseContext, TCaller>(options: GraphQLHttpOptions<TContext, TCaller>) {
  const { server, maxBodyBytes } = options;
  const log = options.log ?? logUnexpectedHttpError;

  async function serve(req: http.IncomingMessage, res: http.ServerResponse) {
    const method = req.method!;
    if (method !== 'GET' && method !== 'POST') throw new Refused(refusals.methodNotAllowed(method));
    // A body is read only when it is JSON; a GET usually has none (and Apollo reads its operation from the URL).
    const json = hasBody(req) && isJsonType(req.headers['content-type']);
    if (method === 'POST' && !json) throw new Refused(refusals.notJson());
    const body = json ? await readJson(req, maxBodyBytes, options.maxJsonDepth) : undefined;
    if (Array.isArray(body)) throw new Refused(refusals.batch());
    const operationName = (body as { operationName?: unknown } | undefined)?.operationName;
    if (options.maxOperationNameLength !== undefined && typeof operationName === 'string' && operationName.length > options.maxOperationNameLength) {
      throw new Refused(refusals.operationNameTooLong(options.maxOperationNameLength, operationName.length));
    }
    const caller = options.caller(req);

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers, search: searchOf(req.url!), body },
      context: async () => options.context(req, caller),
    });
    await writeResponse(res, response);
  }

  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    serve(req, res).catch((error: unknown) => {
      const refusal = error instanceof Refused ? error.refusal : refusalOfError((error ?? {}) as Parameters<typeof refusalOfError>[0]);
      options.onRefused?.(refusal ?? refusals.internal());
      if (error instanceof Refused) return answer(res, error.refusal, req);
      // As installErrorHandlers: a deliberate 4xx keeps its status; anything else is logged and a bare 500.
      if (refusal) return answer(res, refusal);
      log(error);
      answer(res, refusals.internal());
    });
  };
}
