/**
 * The registry's rules (docs/open-platform.md, "Operators"): who may change it (open:admin), what a valid app, API
 * and session is, secrets shown once and kept sealed, and the routers told after every committed write.
 */
import crypto from 'node:crypto';
import { Kind, OperationTypeNode, parse, type DocumentNode } from 'graphql';
import { requireScope } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import { ALL_SCOPES } from '../../platform/identity';
import { isBigintId } from '../../platform/loaders';
import { seal } from '../../platform/secret-box';
import type { OpenContext } from './context';
import { findAppByKey, insertApp, rotateSecret, updateApp, type AppChanges, type AppRow } from './data/apps';
import { findApiByMethod, upsertApi, type OpenApiRow } from './data/apis';
import { deleteGrant, insertGrant } from './data/grants';
import { findSessionById, insertSession, revokeSession, type SessionView } from './data/sessions';

export const OPEN_ADMIN = 'open:admin' as const;
export const METHOD_PATTERN = /^[a-z][a-z0-9_]{0,30}(\.[a-z][a-z0-9_]{0,30}){1,3}$/;
const APP_KEY_PATTERN = /^ak_[0-9a-f]{24}$/;
const MAX_DOCUMENT_CHARS = 10_000;
/**
 * Scopes a merchant session may carry: staff scopes for business operations, never the administration of the
 * platform itself (the registry, client releases, the back office's accounts and roles), and never shoppers' personal
 * data (customer:read: a merchant's app must not read the shop's customers' profiles and wallets).
 */
const NOT_FOR_SESSIONS: readonly string[] = [OPEN_ADMIN, 'clients:admin', 'store:admin', 'staff:admin', 'customer:read'];
export const SESSION_SCOPES: readonly string[] = ALL_SCOPES.filter((scope) => !NOT_FOR_SESSIONS.includes(scope));

export const newAppKey = () => `ak_${crypto.randomBytes(12).toString('hex')}`;
export const newAppSecret = () => `sk_${crypto.randomBytes(32).toString('hex')}`;
export const newSessionToken = () => `st_${crypto.randomBytes(24).toString('hex')}`;
export const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

function secretKey(context: OpenContext): Buffer {
  const key = context.config.open.secretKey;
  if (!key) throw new Error('OPEN_SECRET_KEY is not configured');
  return key;
}

/** The sealed form of an app secret: bound to its app key, so it opens on no other row. */
export const sealSecret = (key: Buffer, appKey: string, secret: string) => seal(key, secret, `open-app:${appKey}`);

function text(value: string | null | undefined, field: string, max: number, min = 0): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) throw badInput(`${field} must be ${min}..${max} characters`, field);
  return trimmed;
}

function intIn(value: number | null | undefined, field: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw badInput(`${field} must be an integer from ${min} to ${max}`, field);
  return value;
}

async function appOrNotFound(context: OpenContext, appKey: string): Promise<AppRow> {
  const app = APP_KEY_PATTERN.test(appKey) ? await findAppByKey(context.db, appKey) : undefined;
  if (!app) throw notFound(`No app ${appKey}`);
  return app;
}

async function apiOrNotFound(context: OpenContext, method: string): Promise<OpenApiRow> {
  const api = METHOD_PATTERN.test(method) ? await findApiByMethod(context.db, method) : undefined;
  if (!api) throw notFound(`No open API ${method}`);
  return api;
}

export interface CreateAppInput {
  name: string;
  corpName?: string | null;
  description?: string | null;
  minuteLimit?: number | null;
  dailyLimit?: number | null;
  enabled?: boolean | null;
}

export async function createApp(context: OpenContext, input: CreateAppInput): Promise<{ app: AppRow; secret: string }> {
  requireScope(context, OPEN_ADMIN);
  const appKey = newAppKey();
  const secret = newAppSecret();
  const app = await insertApp(context.db, {
    app_key: appKey,
    name: text(input.name, 'name', 50, 1)!,
    corp_name: text(input.corpName, 'corpName', 50) ?? null,
    description: text(input.description, 'description', 500) ?? null,
    minute_limit: intIn(input.minuteLimit, 'minuteLimit', 1, 1_000_000) ?? 600,
    daily_limit: intIn(input.dailyLimit, 'dailyLimit', 1, 100_000_000) ?? 100_000,
    enabled: input.enabled ?? true,
    secret_sealed: sealSecret(secretKey(context), appKey, secret),
  });
  await context.changes.changed();
  return { app, secret };
}

export async function changeApp(context: OpenContext, appKey: string, input: { [K in keyof CreateAppInput]?: CreateAppInput[K] | null }): Promise<AppRow> {
  requireScope(context, OPEN_ADMIN);
  const changes: AppChanges = {};
  if (input.name !== undefined) {
    if (input.name === null) throw badInput('name cannot be null', 'name');
    changes.name = text(input.name, 'name', 50, 1)!;
  }
  if (input.corpName !== undefined) changes.corp_name = text(input.corpName, 'corpName', 50) ?? null;
  if (input.description !== undefined) changes.description = text(input.description, 'description', 500) ?? null;
  const minute = intIn(input.minuteLimit, 'minuteLimit', 1, 1_000_000);
  if (minute !== undefined) changes.minute_limit = minute;
  const daily = intIn(input.dailyLimit, 'dailyLimit', 1, 100_000_000);
  if (daily !== undefined) changes.daily_limit = daily;
  if (input.enabled !== undefined && input.enabled !== null) changes.enabled = input.enabled;
  await appOrNotFound(context, appKey);
  const app = await updateApp(context.db, appKey, changes);
  if (!app) throw notFound(`No app ${appKey}`);
  await context.changes.changed();
  return app;
}

export async function rotateAppSecret(context: OpenContext, appKey: string, previousValidSeconds: number | null | undefined): Promise<{ app: AppRow; secret: string }> {
  requireScope(context, OPEN_ADMIN);
  const seconds = intIn(previousValidSeconds, 'previousValidSeconds', 0, 604_800) ?? 86_400;
  await appOrNotFound(context, appKey);
  const secret = newAppSecret();
  const key = secretKey(context);
  // The database's clock is not read here: the validity is an absolute time the operator asked for, from now.
  const validUntil = seconds > 0 ? new Date(Date.now() + seconds * 1000) : null;
  const app = await rotateSecret(context.db, appKey, sealSecret(key, appKey, secret), (current) => current.secret_sealed, validUntil);
  if (!app) throw notFound(`No app ${appKey}`);
  await context.changes.changed();
  return { app, secret };
}

/** Exactly one query or mutation; no subscription (the gateway answers once). */
function checkDocument(document: string): { mutation: boolean } {
  if (document.length > MAX_DOCUMENT_CHARS) throw badInput(`document must be at most ${MAX_DOCUMENT_CHARS} characters`, 'document');
  let parsed: DocumentNode;
  try {
    parsed = parse(document, { maxTokens: 5000 });
  } catch (error) {
    throw badInput(`document is not valid GraphQL: ${(error as Error).message}`, 'document');
  }
  const operations = parsed.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  if (operations.length !== 1 || operations[0].kind !== Kind.OPERATION_DEFINITION) throw badInput('document must hold exactly one operation', 'document');
  if (operations[0].operation === OperationTypeNode.SUBSCRIPTION) throw badInput('subscriptions cannot be open APIs', 'document');
  return { mutation: operations[0].operation === OperationTypeNode.MUTATION };
}

export interface SaveApiInput {
  method: string;
  document: string;
  description?: string | null;
  enabled?: boolean | null;
  idempotent?: boolean | null;
  cost?: number | null;
  maxConcurrency?: number | null;
  alertThresholdMs?: number | null;
}

export async function saveApi(context: OpenContext, input: SaveApiInput): Promise<OpenApiRow> {
  requireScope(context, OPEN_ADMIN);
  if (!METHOD_PATTERN.test(input.method)) throw badInput('method must be lower-case words joined by dots, like order.query', 'method');
  const { mutation } = checkDocument(input.document);
  const api = await upsertApi(context.db, {
    method: input.method,
    document: input.document,
    description: text(input.description, 'description', 500) ?? null,
    enabled: input.enabled ?? true,
    idempotent: input.idempotent ?? !mutation,
    cost: intIn(input.cost, 'cost', 1, 100) ?? 1,
    max_concurrency: intIn(input.maxConcurrency, 'maxConcurrency', 1, 1000) ?? 16,
    alert_threshold_ms: intIn(input.alertThresholdMs, 'alertThresholdMs', 1, 600_000) ?? null,
  });
  await context.changes.changed();
  return api;
}

export async function setGrant(context: OpenContext, appKey: string, method: string, granted: boolean): Promise<AppRow> {
  const staff = requireScope(context, OPEN_ADMIN);
  const app = await appOrNotFound(context, appKey);
  const api = await apiOrNotFound(context, method);
  if (granted) await insertGrant(context.db, app.id, api.id, staff);
  else await deleteGrant(context.db, app.id, api.id);
  await context.changes.changed();
  return app;
}

export interface CreateSessionInput {
  appKey: string;
  merchant: string;
  scopes: string[];
  expiresAt: string;
}

export async function createSession(context: OpenContext, input: CreateSessionInput): Promise<{ session: SessionView; token: string }> {
  const staff = requireScope(context, OPEN_ADMIN);
  if (!isBigintId(input.merchant)) throw badInput('merchant must be a user id', 'merchant');
  const unknown = input.scopes.filter((scope) => !SESSION_SCOPES.includes(scope));
  if (unknown.length) throw badInput(`scopes not allowed in a session: ${unknown.join(', ')}`, 'scopes');
  const expiresAt = new Date(input.expiresAt);
  const now = Date.now();
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input.expiresAt) || Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= now || expiresAt.getTime() > now + 400 * 86_400_000) {
    throw badInput('expiresAt must be an ISO 8601 time in the future, at most 400 days ahead', 'expiresAt');
  }
  const app = await appOrNotFound(context, input.appKey);
  const token = newSessionToken();
  const row = await insertSession(context.db, {
    app_id: app.id,
    token_hash: tokenHash(token),
    token_hint: token.slice(-6),
    merchant: input.merchant,
    scopes: [...new Set(input.scopes)],
    expires_at: expiresAt,
    created_by: staff,
  });
  return { session: { ...row, app_key: app.app_key }, token };
}

export async function endSession(context: OpenContext, id: string): Promise<SessionView> {
  requireScope(context, OPEN_ADMIN);
  if (!isBigintId(id)) throw notFound(`No session ${id}`);
  await revokeSession(context.db, id);
  const session = await findSessionById(context.db, id);
  if (!session) throw notFound(`No session ${id}`);
  // Routers keep sessions they looked up: they must forget this one now.
  await context.changes.changed();
  return session;
}

export { appOrNotFound };
