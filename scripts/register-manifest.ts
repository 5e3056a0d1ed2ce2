/**
 * `npm run register-manifest -- <app> <version> [--client <name>]`: registers `<app>/persisted-query-manifest.json`
 * (written by `npm run codegen`) as the release `<version>` of the client (by default the app folder's last part:
 * clients/web → web, clients/miniprogram → miniprogram, console → console), through the router
 * (`registerClientManifest`, scope clients:admin). Run by a release pipeline before the release ships, so that the
 * router in `enforce` mode accepts its operations (docs/persisted-operations.md).
 * Environment: ROUTER_URL (default http://127.0.0.1:4000/graphql); SHOP_ACCESS_TOKEN (a staff access token holding
 * clients:admin), or SHOP_STAFF_ACCOUNT + SHOP_STAFF_PASSWORD to sign in (a staff account of role `releases`).
 * Exit status 0 when registered or already registered with the same operations; 1 otherwise (CONFLICT included).
 */
import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'Usage: npm run register-manifest -- <app folder> <version> [--client <name>]';

async function call(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'apollographql-client-name': 'release-pipeline',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n'));
  if (!response.ok || !body.data) throw new Error(`router answered ${response.status}`);
  return body.data;
}

async function main() {
  const args = process.argv.slice(2);
  const clientFlag = args.indexOf('--client');
  const client = clientFlag >= 0 ? args.splice(clientFlag, 2)[1] : undefined;
  if (args.length !== 2) throw new Error(USAGE);
  const [app, version] = args;
  const file = path.resolve(app, 'persisted-query-manifest.json');
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: run npm run codegen first`);
  const manifest = fs.readFileSync(file, 'utf8');
  const clientName = client ?? path.basename(path.resolve(app));
  const url = process.env.ROUTER_URL || 'http://127.0.0.1:4000/graphql';
  let token = process.env.SHOP_ACCESS_TOKEN;
  if (!token) {
    const account = process.env.SHOP_STAFF_ACCOUNT;
    const password = process.env.SHOP_STAFF_PASSWORD;
    if (!account || !password) throw new Error('set SHOP_ACCESS_TOKEN, or SHOP_STAFF_ACCOUNT and SHOP_STAFF_PASSWORD');
    const data = await call(url, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', { i: { account, password } });
    token = data.login.accessToken as string;
  }
  const data = await call(
    url,
    `mutation($c: String!, $v: String!, $m: String!) {
      registerClientManifest(clientName: $c, version: $v, manifest: $m) { created release { clientName version operationCount contentHash } }
    }`,
    { c: clientName, v: version, m: manifest },
    token,
  );
  const { created, release } = data.registerClientManifest;
  console.log(
    `${created ? 'Registered' : 'Already registered (same operations)'}: ${release.clientName} ${release.version}, ${release.operationCount} operations, content ${release.contentHash.slice(0, 12)}`,
  );
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
