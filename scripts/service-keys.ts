/**
 * Prints the key environment of one service process (docs/security.md, "Service keys"):
 *   npm run service-keys -- new                 a fresh random key, `SERVICE_KEY_<NAME>=k<date>:<secret>` material
 *   npm run service-keys -- order               (with every SERVICE_KEY_<NAME> set, e.g. from the secret store)
 * For `order`: its own SERVICE_KEY_ORDER, and SERVICE_PEER_KEY_<CALLER> for every other service: the pair keys
 * that verify each caller's headers to order and sign nothing anywhere else. Give the process only these.
 */
import crypto from 'node:crypto';
import { pairKey, parseKeyList, SERVICE_NAMES, type ServiceName } from '../platform/service-keys';

function main(args: string[]) {
  const [target] = args;
  if (target === 'new') {
    const kid = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    console.log(`${kid}:${crypto.randomBytes(32).toString('base64url')}`);
    return;
  }
  if (!(SERVICE_NAMES as readonly string[]).includes(target ?? '')) {
    throw new Error(`Usage: npm run service-keys -- new | <service>   (one of: ${SERVICE_NAMES.join(', ')})`);
  }
  const self = target as ServiceName;
  const variable = (name: string) => `SERVICE_KEY_${name.toUpperCase()}`;
  const lines = [`${variable(self)}=${process.env[variable(self)] ?? ''}`];
  if (!process.env[variable(self)]) throw new Error(`${variable(self)} is not set`);
  // The router only verifies operators' /stats calls signed as router, which its own key covers.
  for (const caller of self === 'router' ? [] : SERVICE_NAMES.filter((name) => name !== self)) {
    const raw = process.env[variable(caller)];
    if (!raw) throw new Error(`${variable(caller)} is not set`);
    const peers = parseKeyList(variable(caller), raw).map(({ kid, value }) => `${kid}:${pairKey(value, self).toString('base64url')}`);
    lines.push(`SERVICE_PEER_KEY_${caller.toUpperCase()}=${peers.join(',')}`);
  }
  console.log(lines.join('\n'));
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
