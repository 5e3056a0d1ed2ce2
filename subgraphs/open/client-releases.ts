/**
 * Client releases (docs/persisted-operations.md): who may change them (clients:admin), what a valid manifest is,
 * idempotent registration, retirement refused while a version still has traffic, and the routers told after every
 * committed write. Data access in data/client-releases.ts.
 */
import crypto from 'node:crypto';
import { Kind, parse } from 'graphql';
import { requireScope } from '../../platform/context';
import { badInput, conflict, notFound } from '../../platform/errors';
import { addDays, shanghaiDate } from '../../platform/shanghai-time';
import type { OpenContext } from './context';
import {
  addTraffic,
  findRelease,
  insertRelease,
  lastSeen,
  listReleases,
  retireReleaseIfIdle,
  trafficSince,
  upsertMode,
  type ClientReleaseRow,
  type ReleaseOperation,
  type SafelistModeValue,
  type TrafficEntry,
} from './data/client-releases';

export const CLIENTS_ADMIN = 'clients:admin' as const;
/** Client names as the `apollographql-client-name` header carries them (and `miniprogram` for WeChat Referers). */
export const CLIENT_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;
/** Retiring is refused while the version had traffic on any of the last this many Asia/Shanghai days (today included). */
export const RETIRE_IDLE_DAYS = 7;
const MAX_OPERATIONS = 5000;
const MAX_BODY_CHARS = 50_000;
const MAX_MANIFEST_CHARS = 4 * 1024 * 1024;
const TYPES = new Set(['query', 'mutation', 'subscription']);

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

function clientName(value: string): string {
  if (!CLIENT_NAME_PATTERN.test(value)) throw badInput('clientName must be 1..40 lowercase letters, digits, - or _, starting with a letter', 'clientName');
  return value;
}

function version(value: string): string {
  if (!VERSION_PATTERN.test(value)) throw badInput('version must be 1..64 letters, digits, . _ + or -, starting with a letter or digit', 'version');
  return value;
}

/** The manifest's operations, each checked: its id is the sha256 of its body, the body one operation of that name and type. */
export function manifestOperations(text: string): ReleaseOperation[] {
  const bad = (message: string) => badInput(`manifest: ${message}`, 'manifest');
  if (text.length > MAX_MANIFEST_CHARS) throw bad(`at most ${MAX_MANIFEST_CHARS} characters`);
  let manifest: { format?: unknown; version?: unknown; operations?: unknown };
  try {
    manifest = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  if (manifest?.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw bad('expected { "format": "apollo-persisted-query-manifest", "version": 1, "operations": [...] }');
  }
  if (manifest.operations.length > MAX_OPERATIONS) throw bad(`at most ${MAX_OPERATIONS} operations`);
  const byId = new Map<string, ReleaseOperation>();
  for (const [index, op] of (manifest.operations as Record<string, unknown>[]).entries()) {
    const { id, name, type, body } = op ?? {};
    if (typeof id !== 'string' || typeof name !== 'string' || typeof type !== 'string' || typeof body !== 'string') throw bad(`operation ${index}: id, name, type and body are strings`);
    if (!TYPES.has(type)) throw bad(`operation ${index}: type is query, mutation or subscription`);
    if (body.length > MAX_BODY_CHARS || name.length > 128) throw bad(`operation ${index}: body at most ${MAX_BODY_CHARS} characters, name at most 128`);
    if (sha256(body) !== id) throw bad(`operation ${index} (${name}): id is not the sha256 of its body`);
    let operations;
    try {
      operations = parse(body, { maxTokens: 20_000 }).definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    } catch (error) {
      throw bad(`operation ${index} (${name}): ${(error as Error).message}`);
    }
    if (operations.length !== 1 || operations[0].kind !== Kind.OPERATION_DEFINITION || operations[0].name?.value !== name || operations[0].operation !== type) {
      throw bad(`operation ${index}: the body must hold exactly one operation, the ${type} ${name}`);
    }
    byId.set(id, { operation_id: id, name, type, body });
  }
  if (!byId.size) throw bad('no operations');
  return [...byId.values()];
}

/** "The same content": the set of operation ids (each the hash of its body). */
const contentHash = (operations: ReleaseOperation[]) => sha256(operations.map((op) => op.operation_id).sort().join('\n'));

export async function registerManifest(
  context: OpenContext,
  input: { clientName: string; version: string; manifest: string },
): Promise<{ release: ClientReleaseRow; created: boolean }> {
  const by = requireScope(context, CLIENTS_ADMIN);
  const name = clientName(input.clientName);
  const ver = version(input.version);
  const operations = manifestOperations(input.manifest);
  const hash = contentHash(operations);
  const { release, created } = await insertRelease(
    context.db,
    { client_name: name, version: ver, content_hash: hash, operation_count: operations.length, registered_by: by },
    operations,
  );
  if (!created) {
    if (release.content_hash !== hash) throw conflict(`${name} ${ver} is registered with other operations: a changed manifest needs a new version`);
    if (release.retired_at) throw conflict(`${name} ${ver} was retired: register the release under a new version`);
    return { release, created: false };
  }
  await context.safelistChanges.changed();
  return { release, created: true };
}

export async function setMode(context: OpenContext, name: string, mode: SafelistModeValue) {
  const by = requireScope(context, CLIENTS_ADMIN);
  const row = await upsertMode(context.db, clientName(name), mode, by);
  await context.safelistChanges.changed();
  return row;
}

export async function retireRelease(context: OpenContext, name: string, ver: string): Promise<ClientReleaseRow> {
  const by = requireScope(context, CLIENTS_ADMIN);
  const release = CLIENT_NAME_PATTERN.test(name) && VERSION_PATTERN.test(ver) ? await findRelease(context.db, name, ver) : undefined;
  if (!release) throw notFound(`No release ${name} ${ver}`);
  if (release.retired_at) return release;
  const fromDay = addDays(shanghaiDate(Date.now()), -(RETIRE_IDLE_DAYS - 1));
  const result = await retireReleaseIfIdle(context.db, release, fromDay, by);
  if (result.recentRequests > 0) {
    throw conflict(`${name} ${ver} served ${result.recentRequests} requests since ${fromDay} (Asia/Shanghai): a version is retired after ${RETIRE_IDLE_DAYS} idle days`);
  }
  await context.safelistChanges.changed();
  return result.release;
}

export interface ReleaseView {
  row: ClientReleaseRow;
  lastSeenAt: Date | null;
  recentRequests: number;
}

/** Releases with their traffic (two statements for the whole list). */
export async function releasesWithTraffic(context: OpenContext, name?: string | null): Promise<ReleaseView[]> {
  requireScope(context, CLIENTS_ADMIN);
  if (name && !CLIENT_NAME_PATTERN.test(name)) return [];
  const rows = await listReleases(context.db, name ?? undefined);
  const fromDay = addDays(shanghaiDate(Date.now()), -(RETIRE_IDLE_DAYS - 1));
  const [recent, seen] = await Promise.all([trafficSince(context.db, rows, fromDay), lastSeen(context.db, rows)]);
  const key = (r: { client_name: string; version: string }) => `${r.client_name}\n${r.version}`;
  const recentBy = new Map(recent.map((r) => [key(r), Number(r.requests)]));
  const seenBy = new Map(seen.map((r) => [key(r), r.last_seen_at]));
  return rows.map((row) => ({ row, lastSeenAt: seenBy.get(key(row)) ?? null, recentRequests: recentBy.get(key(row)) ?? 0 }));
}

/** The routers' batched counts (internal, signed as the router). */
export async function recordTraffic(context: OpenContext, entries: { clientName: string; version: string; day: string; requests: number; lastSeenAt: string }[]) {
  if (entries.length > 10_000) throw badInput('at most 10000 entries per call', 'entries');
  const valid: TrafficEntry[] = [];
  for (const e of entries) {
    if (!CLIENT_NAME_PATTERN.test(e.clientName) || !VERSION_PATTERN.test(e.version) || !/^\d{4}-\d{2}-\d{2}$/.test(e.day)) continue;
    if (!Number.isInteger(e.requests) || e.requests < 1) continue;
    const lastSeenAt = new Date(e.lastSeenAt);
    if (Number.isNaN(lastSeenAt.getTime())) continue;
    valid.push({ clientName: e.clientName, version: e.version, day: e.day, requests: e.requests, lastSeenAt });
  }
  await addTraffic(context.db, valid);
  return valid.length;
}
