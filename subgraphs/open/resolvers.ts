/** Thin resolvers: rules in registry.ts, data access in data/, batching in loaders.ts. */
import { requireScope } from '../../platform/context';
import { pageRequest, toConnection } from '../../platform/connection';
import { badInput } from '../../platform/errors';
import { findAppByKey, listApps, allApps, type AppRow } from './data/apps';
import { allApis, type OpenApiRow } from './data/apis';
import { grantedMethodsOf } from './data/grants';
import { findLiveSessionByHash, listSessions, type SessionView } from './data/sessions';
import { callLogQueries } from './call-logs/resolvers';
import type { Resolvers } from './generated/resolvers-types';
import { allModes, liveOperations, type ModeRow } from './data/client-releases';
import { CLIENTS_ADMIN, recordTraffic, registerManifest, releasesWithTraffic, retireRelease, setMode, type ReleaseView } from './client-releases';
import { appOrNotFound, changeApp, createApp, createSession, endSession, OPEN_ADMIN, rotateAppSecret, saveApi, SESSION_SCOPES, setGrant } from './registry';

const iso = (value: Date | null) => (value ? value.toISOString() : null);
const modeView = (m: ModeRow) => ({ clientName: m.client_name, mode: m.mode, updatedAt: m.updated_at.toISOString(), updatedBy: m.updated_by });

export const resolvers: Resolvers = {
  Query: {
    ...callLogQueries,
    async openApps(_parent, args, context) {
      requireScope(context, OPEN_ADMIN);
      const page = pageRequest('open-app', args, context.config.maxPageSize);
      return toConnection('open-app', await listApps(context.db, page), page);
    },
    async openApp(_parent, { appKey }, context) {
      requireScope(context, OPEN_ADMIN);
      return (await findAppByKey(context.db, appKey.slice(0, 40))) ?? null;
    },
    async openApis(_parent, _args, context) {
      requireScope(context, OPEN_ADMIN);
      return allApis(context.db);
    },
    async openSessions(_parent, args, context) {
      requireScope(context, OPEN_ADMIN);
      const app = await appOrNotFound(context, args.appKey);
      const page = pageRequest('open-session', args, context.config.maxPageSize);
      return toConnection('open-session', await listSessions(context.db, app.id, page), page);
    },
    // Internal (router only, internal-callers.ts): three statements whatever the registry's size.
    async openGatewayRegistry(_parent, _args, context) {
      const [apps, apis] = await Promise.all([allApps(context.db), allApis(context.db)]);
      const grants = apps.length ? await grantedMethodsOf(context.db, apps.map((app) => app.id)) : [];
      const methodsByApp = new Map<string, string[]>();
      for (const grant of grants) methodsByApp.set(grant.app_id, [...(methodsByApp.get(grant.app_id) ?? []), grant.method]);
      const now = Date.now();
      return {
        apis,
        apps: apps.map((app) => {
          const previousValid = app.previous_secret_valid_until && app.previous_secret_valid_until.getTime() > now;
          return {
            appKey: app.app_key,
            enabled: app.enabled,
            minuteLimit: app.minute_limit,
            dailyLimit: app.daily_limit,
            secretSealed: app.secret_sealed,
            previousSecretSealed: previousValid ? app.previous_secret_sealed : null,
            previousSecretValidUntil: previousValid ? iso(app.previous_secret_valid_until) : null,
            grantedMethods: methodsByApp.get(String(app.id)) ?? [],
          };
        }),
      };
    },
    clientReleases: (_parent, { clientName }, context) => releasesWithTraffic(context, clientName),
    async clientSafelistModes(_parent, _args, context) {
      requireScope(context, CLIENTS_ADMIN);
      return (await allModes(context.db)).map(modeView);
    },
    // Internal (router only): two statements whatever the number of releases.
    async safelistRegistry(_parent, _args, context) {
      const [modes, operations] = await Promise.all([allModes(context.db), liveOperations(context.db)]);
      return {
        modes: modes.map((m) => ({ clientName: m.client_name, mode: m.mode })),
        operations: operations.map((o) => ({ clientName: o.client_name, version: o.version, id: o.operation_id, body: o.body })),
      };
    },
    async openGatewaySession(_parent, { tokenHash }, context) {
      if (!/^[0-9a-f]{64}$/.test(tokenHash)) throw badInput('tokenHash must be 64 hex digits', 'tokenHash');
      const session = await findLiveSessionByHash(context.db, tokenHash);
      if (!session) return null;
      // A session made before a scope was barred from sessions (e.g. store:admin) does not carry it any more.
      const scopes = session.scopes.filter((scope: string) => SESSION_SCOPES.includes(scope));
      return { id: String(session.id), appKey: session.app_key, merchant: String(session.merchant), scopes, expiresAt: session.expires_at.toISOString() };
    },
  },
  Mutation: {
    createOpenApp: (_parent, { input }, context) => createApp(context, input),
    updateOpenApp: (_parent, { appKey, input }, context) => changeApp(context, appKey, input),
    rotateOpenAppSecret: (_parent, { appKey, previousValidSeconds }, context) => rotateAppSecret(context, appKey, previousValidSeconds),
    saveOpenApi: (_parent, { input }, context) => saveApi(context, input),
    grantOpenApi: (_parent, { appKey, method }, context) => setGrant(context, appKey, method, true),
    revokeOpenApiGrant: (_parent, { appKey, method }, context) => setGrant(context, appKey, method, false),
    createOpenSession: (_parent, { input }, context) => createSession(context, input),
    revokeOpenSession: (_parent, { id }, context) => endSession(context, id),
    registerClientManifest: (_parent, args, context) => registerManifest(context, args).then(({ release, created }) => ({ release: { row: release, lastSeenAt: null, recentRequests: 0 }, created })),
    setClientSafelistMode: async (_parent, { clientName, mode }, context) => modeView(await setMode(context, clientName, mode)),
    retireClientRelease: async (_parent, { clientName, version }, context) => ({ row: await retireRelease(context, clientName, version), lastSeenAt: null, recentRequests: 0 }),
    recordClientTraffic: (_parent, { entries }, context) => recordTraffic(context, entries),
  },
  ClientRelease: {
    id: (r: ReleaseView) => String(r.row.id),
    clientName: (r: ReleaseView) => r.row.client_name,
    version: (r: ReleaseView) => r.row.version,
    operationCount: (r: ReleaseView) => r.row.operation_count,
    contentHash: (r: ReleaseView) => r.row.content_hash,
    registeredAt: (r: ReleaseView) => r.row.registered_at.toISOString(),
    registeredBy: (r: ReleaseView) => r.row.registered_by,
    retiredAt: (r: ReleaseView) => iso(r.row.retired_at),
    lastSeenAt: (r: ReleaseView) => iso(r.lastSeenAt),
    requestsLast7Days: (r: ReleaseView) => Math.min(r.recentRequests, 2_147_483_647),
  },
  OpenApp: {
    id: (app: AppRow) => String(app.id),
    appKey: (app: AppRow) => app.app_key,
    corpName: (app: AppRow) => app.corp_name,
    minuteLimit: (app: AppRow) => app.minute_limit,
    dailyLimit: (app: AppRow) => app.daily_limit,
    secretRotatedAt: (app: AppRow) => iso(app.secret_rotated_at),
    previousSecretValidUntil: (app: AppRow) =>
      app.previous_secret_valid_until && app.previous_secret_valid_until.getTime() > Date.now() ? app.previous_secret_valid_until.toISOString() : null,
    grantedMethods: async (app: AppRow, _args, context) => (await context.loaders.grantsByApp.load(String(app.id))).map((grant) => grant.method),
    createdAt: (app: AppRow) => app.created_at.toISOString(),
    updatedAt: (app: AppRow) => app.updated_at.toISOString(),
  },
  OpenApi: {
    id: (api: OpenApiRow) => String(api.id),
    maxConcurrency: (api: OpenApiRow) => api.max_concurrency,
    alertThresholdMs: (api: OpenApiRow) => api.alert_threshold_ms,
    createdAt: (api: OpenApiRow) => api.created_at.toISOString(),
    updatedAt: (api: OpenApiRow) => api.updated_at.toISOString(),
  },
  OpenSession: {
    id: (session: SessionView) => String(session.id),
    appKey: (session: SessionView) => session.app_key,
    merchant: (session: SessionView) => String(session.merchant),
    tokenHint: (session: SessionView) => session.token_hint,
    expiresAt: (session: SessionView) => session.expires_at.toISOString(),
    revokedAt: (session: SessionView) => iso(session.revoked_at),
    createdAt: (session: SessionView) => session.created_at.toISOString(),
  },
};
