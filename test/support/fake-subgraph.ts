/**
 * A tiny stand-in subgraph for router tests: a plain HTTP server executing a federation schema, recording the
 * headers of every request and the sockets it holds, able to hang or hold requests. Plus composing a supergraph
 * of such subgraphs into a temporary file for SUPERGRAPH_PATH.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLFieldResolver } from 'graphql';

export interface FakeSubgraphOptions {
  typeDefs: string;
  resolvers: Record<string, Record<string, GraphQLFieldResolver<unknown, FakeContext> | unknown>>;
  /**
   * Called for each GraphQL request before it is executed; resolve it to let the request proceed.
   * `hang` never answers (until the server closes).
   */
  gate?: 'hang' | ((request: http.IncomingMessage) => Promise<void>);
}

export interface FakeContext {
  headers: http.IncomingHttpHeaders;
}

export interface FakeSubgraph {
  url: string;
  /** Headers of every GraphQL request received, in arrival order. */
  requests: http.IncomingHttpHeaders[];
  /** The document (`query`) of every GraphQL request received, in arrival order. */
  queries: string[];
  /** Sockets open right now, and the most ever open at once. */
  readonly openSockets: number;
  readonly maxOpenSockets: number;
  close(): Promise<void>;
}

export const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

export async function startFakeSubgraph(options: FakeSubgraphOptions): Promise<FakeSubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: parse(options.typeDefs), resolvers: options.resolvers as never });
  const requests: http.IncomingHttpHeaders[] = [];
  const queries: string[] = [];
  let openSockets = 0;
  let maxOpenSockets = 0;

  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    requests.push(req.headers);
    if (options.gate === 'hang') return;
    if (options.gate) await options.gate(req);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      query: string;
      variables?: Record<string, unknown>;
      operationName?: string;
    };
    queries.push(body.query);
    const result = await graphql({
      schema,
      source: body.query,
      variableValues: body.variables,
      operationName: body.operationName,
      contextValue: { headers: req.headers } satisfies FakeContext,
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
  });
  server.on('connection', (socket) => {
    openSockets += 1;
    maxOpenSockets = Math.max(maxOpenSockets, openSockets);
    socket.on('close', () => {
      openSockets -= 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    queries,
    get openSockets() {
      return openSockets;
    },
    get maxOpenSockets() {
      return maxOpenSockets;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const temporaryDirs: string[] = [];
// Registered when a test file imports this module (each file has its own copy of it).
afterAll(() => temporaryDirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** Composes the given subgraphs (routing_url = their URL) and writes the supergraph to a temporary file. */
export function writeSupergraph(subgraphs: { name: string; url: string; typeDefs: string }[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.typeDefs) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supergraph-'));
  temporaryDirs.push(dir);
  const file = path.join(dir, 'supergraph.graphql');
  fs.writeFileSync(file, result.supergraphSdl);
  return file;
}

/** An address nothing listens on (a port the OS just handed out and released). */
export async function unusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}
