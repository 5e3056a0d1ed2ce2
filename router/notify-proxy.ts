/**
 * POST /notify/... on the router: the payment providers' notifications, forwarded to the payment subgraph unchanged
 * (and Kuaidi100's tracking pushes, POST /notify/kuaidi100, to the order subgraph the same way)
 * (raw body bytes, the provider's headers), so providers and clients use one public origin. Payment verifies the
 * provider's signature itself; the router adds no identity (providers have none) and drops any x-shop-identity a
 * caller sent.
 *
 * Only the known paths are forwarded, matched exactly on the raw request path, and the forwarded URL is built from
 * the matched route, never from the client's bytes: `/notify/../graphql`, `/notify/%2e%2e/graphql`, backslashes,
 * doubled slashes or any other spelling match nothing and answer the router's JSON 404 (the URL parser of the
 * forwarding fetch would otherwise resolve them onto payment's /graphql). The sandbox cashier is forwarded only when
 * this process's own configuration has the sandbox on (PAYMENT_SANDBOX, platform/modes.ts).
 */
import express from 'express';
import { Agent, fetch } from 'undici';
import type { Config } from '../platform/config';
import { IDENTITY_HEADER } from '../platform/identity';

/** Headers that describe this hop, not the message (RFC 9110 §7.6.1), plus ours. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'content-length', IDENTITY_HEADER]);

/** Real providers' notification endpoints. */
const PROVIDER_PATHS = new Set(['/notify/wechat', '/notify/alipay']);
/** Carrier tracking pushes (Kuaidi100), served by the order subgraph (subgraphs/order/kuaidi100.ts). */
const ORDER_PATHS = new Set(['/notify/kuaidi100']);

/** Which subgraph a forwarded notification path belongs to. */
export const notifyService = (target: string): 'payment' | 'order' => (ORDER_PATHS.has(target.split('?')[0]) ? 'order' : 'payment');
/** The sandbox cashier: Alipay's takes the order string as its query; WeChat's names the prepay id. */
const SANDBOX_ALIPAY = '/notify/sandbox/alipay';
const SANDBOX_WECHAT = /^\/notify\/sandbox\/wechat\/([A-Za-z0-9_-]{1,128})$/;

/**
 * The path to forward `rawUrl` to (with its query), or undefined when it is not a notification path. `rawUrl` is the
 * request target exactly as received: nothing is decoded or normalized before the comparison.
 */
export function notifyTarget(rawUrl: string, sandbox: boolean): string | undefined {
  const queryAt = rawUrl.indexOf('?');
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  // The query goes along as received; it cannot change the path of the URL built below ('#' would end it: refused).
  const query = queryAt < 0 ? '' : rawUrl.slice(queryAt);
  if (query.includes('#')) return undefined;
  if (PROVIDER_PATHS.has(path) || ORDER_PATHS.has(path)) return `${path}${query}`;
  if (!sandbox) return undefined;
  if (path === SANDBOX_ALIPAY) return `${SANDBOX_ALIPAY}${query}`;
  const wechat = SANDBOX_WECHAT.exec(path);
  if (wechat) return `/notify/sandbox/wechat/${wechat[1]}${query}`;
  return undefined;
}

export function notifyProxy(config: Config, originOf: (service: 'payment' | 'order') => string): { router: express.Router; close(): Promise<void> } {
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const sandbox = config.payment.sandbox && !config.isProduction;
  // Decided before the body is read: an unknown path costs nothing and goes on to the router's JSON 404.
  const match: express.RequestHandler = (req, res, next) => {
    const target = req.method === 'POST' ? notifyTarget(req.originalUrl, sandbox) : undefined;
    if (!target) return next('router');
    res.locals.notifyTarget = target;
    next();
  };
  const forward: express.RequestHandler = async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || NOT_FORWARDED.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      const target = res.locals.notifyTarget as string;
      const service = notifyService(target);
      const response = await fetch(`${originOf(service)}${target}`, {
        method: 'POST',
        headers,
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        dispatcher,
        signal: AbortSignal.timeout(config.subgraphTimeouts[service] ?? config.subgraphTimeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type');
      if (type) res.setHeader('content-type', type);
      res.status(response.status).send(body);
    } catch {
      // Kuaidi100's format for its pushes (it pushes again later).
      if (notifyService(res.locals.notifyTarget as string) === 'order') {
        res.status(502).type('application/json').send(JSON.stringify({ result: false, returnCode: '502', message: 'order service unavailable' }));
        return;
      }
      // WeChat's format; Alipay treats any answer but `success` as a failure too, and retries either way.
      res.status(502).type('application/json').send(JSON.stringify({ code: 'FAIL', message: 'payment service unavailable' }));
    }
  };
  const router = express.Router();
  // Payment notifications are small; a Kuaidi100 push carries the parcel's whole history (URL-encoded Chinese text).
  const paymentBody = express.raw({ type: () => true, limit: 64 * 1024 });
  const orderBody = express.raw({ type: () => true, limit: 256 * 1024 });
  const body: express.RequestHandler = (req, res, next) =>
    (notifyService(res.locals.notifyTarget as string) === 'order' ? orderBody : paymentBody)(req, res, next);
  router.use(match, body, forward);
  return { router, close: () => dispatcher.close() };
}
