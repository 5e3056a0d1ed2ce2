/**
 * Client mistakes are client errors, shaped like GraphQL, on the router and on a subgraph server alike: malformed
 * JSON 400, an oversized body 413, an unknown or ambiguous operationName 400 (not 500), a wrong method 405, a
 * wrong content type 415, a batch 400, an unknown route 404 — each `{"errors":[{"message","extensions":{"code"}}]}`
 * as JSON, never HTML, never a stack trace, in development and in production mode.
 */
import type { RunningSupergraph } from '../app/launcher';
import { asIdentity, startSupergraph, testConfig } from './support/harness';

interface Target {
  name: string;
  url: () => string;
  headers: () => Record<string, string>;
}

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(url: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Answer['body'] = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Left empty: the shape assertion below reports the raw text.
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body };
}

/** GraphQL-shaped JSON error with this status and code, no HTML, no stack frames. */
function expectError(answer: Answer, status: number, code: string) {
  expect({ status: answer.status, text: answer.text }).toMatchObject({ status });
  expect(answer.contentType).toMatch(/^application\/(graphql-response\+)?json/);
  expect(answer.body.errors).toHaveLength(1);
  expect(typeof answer.body.errors![0].message).toBe('string');
  expect(answer.body.errors![0].extensions?.code).toBe(code);
  expect(answer.text).not.toMatch(/<html|<pre|stacktrace|\n\s+at |\.ts:\d+/i);
}

function errorCases(target: Target) {
  const post = (body: string, headers: Record<string, string> = {}) =>
    send(target.url(), { method: 'POST', headers: { 'content-type': 'application/json', ...target.headers(), ...headers }, body });

  it(`${target.name}: malformed JSON is a 400`, async () => {
    expectError(await post('{"query": "{ categories { id } }"'), 400, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a body over 1 MB is a 413`, async () => {
    const answer = await post(JSON.stringify({ query: '{ categories { id } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    expectError(answer, 413, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'bodySize', max: 1024 * 1024 });
  });

  it(`${target.name}: an unknown operationName is a 400`, async () => {
    const answer = await post(JSON.stringify({ query: 'query A { categories { id } }', operationName: 'B' }));
    expectError(answer, 400, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].message).toMatch(/"B"/);
  });

  it(`${target.name}: two operations without an operationName is a 400`, async () => {
    expectError(await post(JSON.stringify({ query: 'query A { categories { id } } query B { categories { name } }' })), 400, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a batch is a 400`, async () => {
    const answer = await post(JSON.stringify([{ query: '{ categories { id } }' }, { query: '{ categories { id } }' }]));
    expectError(answer, 400, 'BAD_USER_INPUT');
    expect(answer.body.errors![0].extensions).toMatchObject({ limit: 'batch' });
  });

  it(`${target.name}: a wrong method is a 405`, async () => {
    const answer = await send(target.url(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expectError(answer, 405, 'BAD_USER_INPUT');
  });

  it(`${target.name}: a wrong content type is a 415`, async () => {
    expectError(await post('{ categories { id } }', { 'content-type': 'text/plain' }), 415, 'BAD_USER_INPUT');
  });

  it(`${target.name}: an unknown route is a 404`, async () => {
    expectError(await send(new URL('/nope', target.url()).toString(), { method: 'GET' }), 404, 'NOT_FOUND');
  });

  it(`${target.name}: a query that does not parse is a 400`, async () => {
    expectError(await post(JSON.stringify({ query: '{ categories { id ' })), 400, 'GRAPHQL_PARSE_FAILED');
  });

  it(`${target.name}: GET /health still answers`, async () => {
    const response = await fetch(new URL('/health', target.url()));
    const report = (await response.json()) as { status: string; subgraphs?: Record<string, { status: string }> };
    // Only product runs here: the router reports itself degraded (503) with product reachable.
    if (report.subgraphs) expect(report.subgraphs.product.status).toBe('ok');
    else expect([response.status, report.status]).toEqual([200, 'ok']);
  });
}

describe('development mode', () => {
  let supergraph: RunningSupergraph;
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['product'], router: true });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  errorCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  errorCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product') });

});

describe('production mode', () => {
  let supergraph: RunningSupergraph;
  const config = testConfig({ NODE_ENV: 'production', JWT_SECRET: 'test-jwt-secret-for-production-mode', INTERNAL_SECRET: 'test-internal-secret-for-production' });
  beforeAll(async () => {
    supergraph = await startSupergraph({ subgraphs: ['product'], router: true, config });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  errorCases({ name: 'router', url: () => supergraph.routerUrl!, headers: () => ({}) });
  errorCases({ name: 'product subgraph', url: () => supergraph.subgraphs.product!.url, headers: () => asIdentity({}, 'product', config) });
});
