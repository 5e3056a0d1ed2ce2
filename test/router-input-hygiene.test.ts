/**
 * Input hygiene at the router (docs/limits.md, "Input hygiene"): NUL characters and unpaired surrogates in any string
 * argument or variable are BAD_USER_INPUT before anything is planned (they reached PostgreSQL, whose error showed the
 * SQL); JSON nested past MAX_JSON_DEPTH is a 400, not the stack overflow's 500; an over-long operationName is a 400 that
 * does not echo it; too many fields carry `limit: "fields"` like every other limit.
 */
import { parse } from 'graphql';
import type { RunningSupergraph } from '../app/launcher';
import { documentRefusal, inspectDocument } from '../router/input-hygiene';
import { codes, gql, startSupergraph, testConfig } from './support/harness';
import { captureLogs, type CapturedLogs } from './support/log-capture';

const config = testConfig();
let supergraph: RunningSupergraph;
let router: string;
let logs: CapturedLogs;
/** Error lines logged since the test began (redis reconnect notices are not ours). */
const loggedErrors = () => logs.raw.filter((line) => !/redis/i.test(line));

beforeAll(async () => {
  // What a refusal must not cause: an unexpected error logged with its stack (lines through platform/log.ts).
  logs = captureLogs('error');
  supergraph = await startSupergraph();
  router = supergraph.routerUrl!;
});
afterAll(async () => {
  await supergraph?.stop();
});
beforeEach(() => logs.clear());

const LOGIN = 'mutation Login($input: LoginInput!) { login(input: $input) { accessToken } }';

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(router, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, text, json: JSON.parse(text) as { errors?: { message: string; extensions: Record<string, unknown> }[]; data?: unknown } };
}

function expectInvalidString(response: { status: number; errors?: { extensions?: Record<string, unknown> }[]; data?: unknown }) {
  expect(response.status).toBe(400);
  expect(codes(response as never)).toEqual(['BAD_USER_INPUT']);
  expect(response.errors![0].extensions).toMatchObject({ reason: 'INVALID_STRING' });
  expect(response.data).toBeUndefined();
}

describe('NUL characters and unpaired surrogates', () => {
  it('refuses a NUL in a variable before it reaches a subgraph (no SQL in the answer, nothing logged)', async () => {
    const response = await gql(router, LOGIN, { input: { account: 'admin\u0000', password: 'x' } });
    expectInvalidString(response);
    expect(response.errors![0].message).toContain('$input.account');
    expect(JSON.stringify(response)).not.toMatch(/select|password_hash/i);
    expect(loggedErrors()).toEqual([]);
  });

  it('refuses a NUL in an inline literal (a \\u0000 escape)', async () => {
    const response = await gql(router, 'mutation { login(input: { account: "a\\u0000b", password: "x" }) { accessToken } }');
    expectInvalidString(response);
    expect(response.errors![0].message).toMatch(/line 1, column \d+/);
    expect(loggedErrors()).toEqual([]);
  });

  it('refuses an unpaired surrogate in a variable, sent as a JSON escape, and accepts a well-formed pair', async () => {
    const body = (account: string) => `{"query":${JSON.stringify(LOGIN)},"variables":{"input":{"account":"${account}","password":"x"}}}`;
    const lone = await post(body('a\\ud800b'));
    expectInvalidString({ status: lone.status, ...lone.json } as never);
    const trailing = await post(body('a\\udc00'));
    expectInvalidString({ status: trailing.status, ...trailing.json } as never);
    // 😀 as an escaped pair is ordinary text: a wrong password, not a refusal.
    const pair = await post(body('\\ud83d\\ude00'));
    expect(pair.json.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('refuses an unpaired surrogate in an inline literal', async () => {
    const query = 'mutation { login(input: { account: "a\\uD800b", password: "x" }) { accessToken } }';
    const raw = await post(JSON.stringify({ query }));
    expect(raw.status).toBe(400);
    expect(raw.json.errors![0].extensions.code).toMatch(/BAD_USER_INPUT|GRAPHQL_PARSE_FAILED/);
    // The raw character in the document (JSON escape), not a GraphQL escape.
    const direct = await post(`{"query":"mutation { login(input: { account: \\"a\\ud800b\\", password: \\"x\\" }) { accessToken } }"}`);
    expect(direct.status).toBe(400);
    expect(direct.json.errors![0].extensions.code).toMatch(/BAD_USER_INPUT|GRAPHQL_PARSE_FAILED/);
    expect(loggedErrors()).toEqual([]);
  });

  it('finds them in nested input objects and lists, and in object keys', async () => {
    const query = 'mutation Remove($ids: [ID!]!) { removeCartItems(ids: $ids) { id } }';
    const inList = await gql(router, query, { ids: ['1', '2', 'x\u0000'] });
    expectInvalidString(inList);
    expect(inList.errors![0].message).toContain('$ids[2]');
    const nested = await gql(router, LOGIN, { input: { account: 'a', password: 'x', ['k\u0000']: 1 } });
    expectInvalidString(nested);
    const literalList = await gql(router, 'mutation { removeCartItems(ids: ["1", "\\u0000"]) { id } }');
    expectInvalidString(literalList);
  });

  it('still answers ordinary text, Chinese included', async () => {
    const response = await gql(router, LOGIN, { input: { account: '小明\t', password: 'x' } });
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('JSON nesting', () => {
  it('answers a variable nested 100,000 deep with 400 limit jsonDepth, not 500', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const response = await post(`{"query":"mutation($ids: [ID!]!) { removeCartItems(ids: $ids) { id } }","variables":{"ids":${deep}}}`);
    expect(response.status).toBe(400);
    expect(response.json.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'jsonDepth', max: config.maxJsonDepth });
    expect(loggedErrors()).toEqual([]);
  });

  it('counts brackets inside strings as text, and accepts nesting up to the limit', async () => {
    const brackets = '['.repeat(5000);
    const inString = await gql(router, LOGIN, { input: { account: brackets, password: '"\\[' } });
    expect(codes(inString)).toEqual(['UNAUTHENTICATED']);
    let nested: unknown = 1;
    for (let i = 0; i < config.maxJsonDepth - 2; i++) nested = [nested];
    // Body object, variables object, then the list: exactly at the limit.
    const atLimit = await post(JSON.stringify({ query: '{ categories { id } }', variables: { a: nested } }));
    expect(atLimit.status).toBe(200);
    const over = await post(JSON.stringify({ query: '{ categories { id } }', variables: { a: [nested] } }));
    expect(over.status).toBe(400);
  });

  it('holds GET queries to the same bound', async () => {
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    const url = `${router}?query=${encodeURIComponent('{ categories { id } }')}&variables=${encodeURIComponent(`{"a":${deep}}`)}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).errors[0].extensions).toMatchObject({ limit: 'jsonDepth' });
  });
});

describe('operationName', () => {
  it('refuses a 100 KB operationName with a short answer that does not echo it', async () => {
    const name = 'x'.repeat(100_000);
    const response = await post(JSON.stringify({ query: 'query a { categories { id } }', operationName: name }));
    expect(response.status).toBe(400);
    expect(response.json.errors![0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      limit: 'operationName',
      max: config.maxOperationNameLength,
      found: 100_000,
    });
    expect(response.text.length).toBeLessThan(500);
  });

  it('refuses it over GET too', async () => {
    const url = `${router}?query=${encodeURIComponent('query a { categories { id } }')}&operationName=${'y'.repeat(5000)}`;
    const response = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain('yyyyy');
    expect(JSON.parse(text).errors[0].extensions).toMatchObject({ limit: 'operationName', found: 5000 });
  });

  it('still names an unknown operationName within the limit', async () => {
    const response = await post(JSON.stringify({ query: 'query a { categories { id } }', operationName: 'b' }));
    expect(response.status).toBe(400);
    expect(response.json.errors![0].extensions).toMatchObject({ reason: 'OPERATION_RESOLUTION' });
  });
});

describe('fields', () => {
  it('refuses 1000 fields with limit "fields" (graphql-js gives up validating them: "Validation aborted." before)', async () => {
    const response = await gql(router, `{ me { ${Array(1000).fill('id').join(' ')} } }`);
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions).toEqual({ code: 'BAD_USER_INPUT', limit: 'fields', max: config.operationLimits.maxFields });
  });

  it('counts the fields written in the document, fragments included, with limit, max and found past MAX_QUERY_FIELDS', () => {
    const document = parse('query { products(first: 1) { edges { node { ...F id } } } } fragment F on Product { title skus { id price } }');
    expect(inspectDocument(document).fields).toBe(8);
    expect(documentRefusal(document, 8)).toBeUndefined();
    expect(documentRefusal(document, 7)!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'fields', max: 7, found: 8 });
  });

  it('reports graphql-js giving up on overlapping fields below the field limit as the fields limit too', async () => {
    // 450 copies of one field under the field limit, spread over fragments: graphql-js's own budget runs out first.
    const fragments = Array.from({ length: 9 }, (_, i) => `fragment F${i} on Category { ${Array(48).fill('name').join(' ')} }`);
    const spreads = fragments.map((_, i) => `...F${i}`).join(' ');
    const response = await gql(router, `{ categories { ${spreads} ${spreads} } } ${fragments.join(' ')}`);
    if (response.status === 200) return; // within graphql-js's budget on this version: nothing to relabel
    expect(response.status).toBe(400);
    expect(response.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'fields' });
  });

  it('lets the contract operations and introspection through', async () => {
    const response = await gql(router, '{ products(first: 20) { edges { node { id title skus { id price } category { id name } } } } }');
    expect(response.errors).toBeUndefined();
  });
});
