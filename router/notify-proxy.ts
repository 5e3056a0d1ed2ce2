/**
 * POST /notify/* on the router is forwarded to the payment subgraph unchanged (raw body bytes, the provider's
 * headers), so providers and clients use one public origin. Payment verifies the provider's signature itself; the
 * router adds no identity (providers have none) and drops any x-shop-identity a caller sent.
 */
import express from 'express';
import { Agent, fetch } from 'undici';
import type { Config } from '../platform/config';
import { IDENTITY_HEADER } from '../platform/identity';

/** Headers that describe this hop, not the message (RFC 9110 §7.6.1), plus ours. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'content-length', IDENTITY_HEADER]);

export function notifyProxy(config: Config, paymentOrigin: () => string): { router: express.Router; close(): Promise<void> } {
  const dispatcher = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const router = express.Router();
  router.post('/{*path}', express.raw({ type: () => true, limit: 64 * 1024 }), async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || NOT_FORWARDED.has(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    try {
      const response = await fetch(`${paymentOrigin()}${req.originalUrl}`, {
        method: 'POST',
        headers,
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        dispatcher,
        signal: AbortSignal.timeout(config.subgraphTimeouts.payment ?? config.subgraphTimeoutMs),
      });
      const body = Buffer.from(await response.arrayBuffer());
      const type = response.headers.get('content-type');
      if (type) res.setHeader('content-type', type);
      res.status(response.status).send(body);
    } catch {
      // WeChat's format; Alipay treats any answer but `success` as a failure too, and retries either way.
      res.status(502).type('application/json').send(JSON.stringify({ code: 'FAIL', message: 'payment service unavailable' }));
    }
  });
  return { router, close: () => dispatcher.close() };
}
