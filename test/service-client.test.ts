/**
 * The service client against a real HTTP server on an ephemeral port: it forwards x-request-id and the signed
 * identity, retries only idempotent calls (queries; mutations marked idempotent) after HTTP 503 or a timeout,
 * never retries a GraphQL error, honours a per-call timeout and refuses an answer over the response-size budget.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { IDENTITY_HEADER, verifyIdentity } from '../platform/identity';
import { coalescedEntityLoader, coalescingStats, createServiceClient, isMutation, type ServiceClient } from '../platform/service-client';
import { testConfig } from './support/harness';

interface Seen {
  headers: http.IncomingHttpHeaders;
  query: string;
}

/** Answers each request with the next scripted reply: an HTTP status, a GraphQL body, or 'hang'. */
async function scriptedServer(script: (number | 'hang' | object)[]) {
  const seen: Seen[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    seen.push({ headers: req.headers, query: JSON.parse(Buffer.concat(chunks).toString()).query });
    const reply = script[Math.min(seen.length - 1, script.length - 1)];
    if (reply === 'hang') {
      hanging.push(res);
      return;
    }
    if (typeof reply === 'number') {
      res.writeHead(reply, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        hanging.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const OK = { data: { ok: true } };
let client: ServiceClient | undefined;
const config = testConfig();
const clientFor = (url: string) => {
  client = createServiceClient(config, 'order', { urlOf: () => url });
  return client;
};
afterEach(async () => {
  await client?.close();
  client = undefined;
});

it('tells mutations from queries', () => {
  expect(isMutation('mutation X { a }')).toBe(true);
  expect(isMutation('  # comment\n mutation { a }')).toBe(true);
  expect(isMutation('{ a }')).toBe(false);
  expect(isMutation('query Q { mutation }')).toBe(false);
});

it('forwards x-request-id and the caller identity', async () => {
  const server = await scriptedServer([OK]);
  try {
    await clientFor(server.url).request('cart', '{ ok }', {}, { userId: '42', requestId: 'req-123' });
    expect(server.seen[0].headers['x-request-id']).toBe('req-123');
    const identity = verifyIdentity(String(server.seen[0].headers[IDENTITY_HEADER]), config.internalSecret, 60);
    expect(identity).toMatchObject({ service: 'order', userId: '42' });
  } finally {
    await server.close();
  }
});

it('retries a query after HTTP 503', async () => {
  const server = await scriptedServer([503, 503, OK]);
  try {
    await expect(clientFor(server.url).request('cart', '{ ok }')).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(3);
  } finally {
    await server.close();
  }
});

it('gives up after the allowed retries', async () => {
  const server = await scriptedServer([503]);
  try {
    await expect(clientFor(server.url).request('cart', '{ ok }', {}, { retries: 1 })).rejects.toMatchObject({
      extensions: { code: 'INTERNAL_SERVER_ERROR', service: 'cart' },
    });
    expect(server.seen).toHaveLength(2);
  } finally {
    await server.close();
  }
});

it('never retries a mutation unless it is marked idempotent', async () => {
  const server = await scriptedServer([503, OK]);
  try {
    await expect(clientFor(server.url).request('cart', 'mutation { add }')).rejects.toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(server.seen).toHaveLength(1);
    await expect(clientFor(server.url).request('cart', 'mutation { release }', {}, { idempotent: true })).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
  } finally {
    await server.close();
  }
});

it('does not retry a GraphQL error: it is the answer', async () => {
  const server = await scriptedServer([{ errors: [{ message: 'sold out', extensions: { code: 'CONFLICT' } }] }, OK]);
  try {
    await expect(clientFor(server.url).request('product', '{ ok }')).rejects.toMatchObject({
      message: 'sold out',
      extensions: { code: 'CONFLICT', service: 'product' },
    });
    expect(server.seen).toHaveLength(1);
  } finally {
    await server.close();
  }
});

it('applies the per-call timeout, and retries a timed-out query', async () => {
  const server = await scriptedServer(['hang', OK]);
  try {
    await expect(clientFor(server.url).request('cart', '{ ok }', {}, { timeoutMs: 100 })).resolves.toEqual({ ok: true });
    expect(server.seen).toHaveLength(2);
    await expect(clientFor(server.url).request('cart', 'mutation { add }', {}, { timeoutMs: 100 })).resolves.toEqual({ ok: true });
  } finally {
    await server.close();
  }
});

it('fails a timed-out mutation without sending it again', async () => {
  const server = await scriptedServer(['hang', OK]);
  try {
    await expect(clientFor(server.url).request('cart', 'mutation { add }', {}, { timeoutMs: 100 })).rejects.toMatchObject({
      extensions: { code: 'INTERNAL_SERVER_ERROR', service: 'cart' },
    });
    expect(server.seen).toHaveLength(1);
  } finally {
    await server.close();
  }
});

it('refuses an answer over SUBGRAPH_MAX_RESPONSE_BYTES, without asking again', async () => {
  const server = await scriptedServer([{ data: { ok: 'x'.repeat(5000) } }]);
  try {
    client = createServiceClient(testConfig({ SUBGRAPH_MAX_RESPONSE_BYTES: '1000' }), 'order', { urlOf: () => server.url });
    await expect(client.request('cart', '{ ok }')).rejects.toMatchObject({
      message: 'The cart service answered more than 1000 bytes',
      extensions: { code: 'INTERNAL_SERVER_ERROR', service: 'cart' },
    });
    expect(server.seen).toHaveLength(1);
  } finally {
    await server.close();
  }
});

describe('coalesced entity loads', () => {
  /** Answers `_entities` with each SKU's current price from `prices`; records every call's representations and identity. */
  async function entitiesServer(prices: Map<string, number>) {
    const calls: { ids: string[]; identity: ReturnType<typeof verifyIdentity> }[] = [];
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { variables } = JSON.parse(Buffer.concat(chunks).toString()) as { variables: { representations: { id: string }[] } };
      const ids = variables.representations.map((r) => r.id);
      calls.push({ ids, identity: verifyIdentity(String(req.headers[IDENTITY_HEADER]), config.internalSecret, 60, Date.now(), 'product') });
      const entities = ids.map((id) => (prices.has(id) ? { id, price: prices.get(id) } : null));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _entities: entities } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    return { url, calls, close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
  }

  it('sends the loads of concurrent requests in one call, each id once, signed as the service alone', async () => {
    const prices = new Map([['1', 100], ['2', 200], ['3', 300]]);
    const server = await entitiesServer(prices);
    try {
      const services = clientFor(server.url);
      // Three requests, each with its own per-request loader, asking in the same turn of the event loop.
      const requests = [['1', '2'], ['2', '3'], ['3', '9']].map((ids) => coalescedEntityLoader<{ id: string; price: number }>(services, 'product', 'Sku', 'id price').loadMany(ids));
      const answers = await Promise.all(requests);
      expect(answers).toEqual([
        [{ id: '1', price: 100 }, { id: '2', price: 200 }],
        [{ id: '2', price: 200 }, { id: '3', price: 300 }],
        [{ id: '3', price: 300 }, null],
      ]);
      expect(server.calls).toHaveLength(1);
      expect([...server.calls[0].ids].sort()).toEqual(['1', '2', '3', '9']);
      expect(server.calls[0].identity).toMatchObject({ service: 'order', scopes: [] });
      expect(server.calls[0].identity?.userId).toBeUndefined();
      expect(coalescingStats(services, 'product', 'Sku', 'id price')).toEqual({ calls: 1, keysAsked: 6, keysSent: 4 });
    } finally {
      await server.close();
    }
  });

  it('keeps nothing between calls: a request after a change reads the new value', async () => {
    const prices = new Map([['1', 100]]);
    const server = await entitiesServer(prices);
    try {
      const services = clientFor(server.url);
      const first = coalescedEntityLoader<{ price: number }>(services, 'product', 'Sku', 'id price');
      await expect(first.load('1')).resolves.toMatchObject({ price: 100 });
      prices.set('1', 150);
      // The same request asks again: its own loader answers what it read (one request sees one value).
      await expect(first.load('1')).resolves.toMatchObject({ price: 100 });
      await expect(coalescedEntityLoader<{ price: number }>(services, 'product', 'Sku', 'id price').load('1')).resolves.toMatchObject({ price: 150 });
      expect(server.calls).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('fails every request of a call that fails, and the next call is sent afresh', async () => {
    const server = await scriptedServer([400, { data: { _entities: [{ id: '1' }] } }]);
    try {
      const services = clientFor(server.url);
      const loads = [coalescedEntityLoader(services, 'product', 'Sku', 'id').load('1'), coalescedEntityLoader(services, 'product', 'Sku', 'id').load('1')];
      for (const load of loads) await expect(load).rejects.toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR', service: 'product' } });
      expect(server.seen).toHaveLength(1);
      await expect(coalescedEntityLoader(services, 'product', 'Sku', 'id').load('1')).resolves.toEqual({ id: '1' });
    } finally {
      await server.close();
    }
  });
});
