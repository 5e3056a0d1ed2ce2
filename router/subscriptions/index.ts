/**
 * Subscriptions at the router: graphql-ws on the router's own HTTP server and path (ws://host:port/graphql).
 * The connection is authenticated once (connectionParams.Authorization) and closed with 4401 when its token expires
 * or its session is revoked (logout); each subscription is parsed, validated against the API schema, held to the
 * input hygiene rules, the client's persisted-operation safelist (router/safelist), the operation limits and the
 * subscription caps (per connection here, per user and per address across instances in slots.ts), checked for access
 * through the supergraph, then served by order-status.ts. Events
 * come from the process's bus (Redis pub/sub with REDIS_URL); every subscription also reads its order again after the
 * bus reconnects and every SUBSCRIPTION_REREAD_MS. See docs/subscriptions.md.
 */
import crypto from 'node:crypto';
import type http from 'node:http';
import type { ApolloServer } from '@apollo/server';
import type { ApolloGateway } from '@apollo/gateway';
import { GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../../platform/config';
import { shopError } from '../../platform/errors';
import { clientChannel, type EventBus } from '../../platform/events/bus';
import type { Identity } from '../../platform/identity';
import { valueNestsDeeperThan } from '../../platform/json-depth';
import type { SessionRevocations } from '../../platform/session-revocation';
import type { RouterContext } from '../gateway';
import { documentRefusal, operationNameRefusal, variablesRefusal } from '../input-hygiene';
import { limitRules } from '../limits';
import type { Safelist } from '../safelist';
import { createSubscriptionSlots } from './slots';
import { connectionIdentity, ConnectionRefused } from './connection-auth';
import { ORDER_ACCESS_QUERY, orderStateStream, prepareOrderSubscription, type PreparedOrderSubscription, type StateResult } from './order-status';

/** The stream the order subgraph publishes status changes on (subgraphs/order/events.ts; not imported: router/ stays apart). */
const ORDER_STREAM = 'shop.order.order';

/**
 * graphql-ws close codes used here: 4401 is fatal for graphql-ws clients (they do not retry with the same token). It
 * closes a connection without a valid token, at the token's expiry, and when the token's session is revoked.
 */
export const CLOSE_UNAUTHORIZED = 4401;
/**
 * A router shutting down (SIGTERM) closes every socket with 1012 "Service Restart" (RFC 6455 registry): graphql-ws
 * clients, and clients/wechat-graphql-ws.ts on top of it, treat it as retryable and reconnect, through the balancer,
 * to another router; their subscriptions start again and first send the current state (docs/operations.md).
 */
export const CLOSE_SERVICE_RESTART = 1012;
export const SERVICE_RESTART_REASON = 'Service restart: reconnect';
export const SESSION_REVOKED_REASON = 'Unauthorized: session ended (signed out); sign in again';

export interface SubscriptionServer {
  /** Closes every socket (1012 Service Restart: clients reconnect elsewhere) and stops accepting new ones. */
  close(): Promise<void>;
  /** Sockets and subscriptions open now, subscribes refused by a limit so far (by `extensions.limit`): metrics. */
  stats(): { sockets: number; subscriptions: number; refusals: Record<string, number> };
}

type SocketExtra = { socket: WebSocket; request: http.IncomingMessage };

/** The options, with the subscribes refused by a limit (errors naming it in `extensions.limit`) counted in `refusals`. */
function tallyingRefusals(refusals: Record<string, number>, options: ServerOptions<Record<string, unknown>, SocketExtra>) {
  const check = options.onSubscribe!;
  return {
    ...options,
    async onSubscribe(...args: Parameters<typeof check>) {
      const result = await check(...args);
      if (Array.isArray(result)) {
        for (const error of result as readonly GraphQLError[]) {
          const limit = error.extensions?.limit;
          if (typeof limit === 'string') refusals[limit] = (refusals[limit] ?? 0) + 1;
        }
      }
      return result;
    },
  };
}

interface ConnectionState {
  identity: Identity & { userId: string };
  expiryTimer?: NodeJS.Timeout;
  active: Set<string>;
}

interface SubscriptionContext {
  prepared: PreparedOrderSubscription;
  identity: Identity;
  release(): void;
}

/** Runs an operation through the router's own Apollo Server (plugins, limits and gateway) as `identity`. */
function executorOf(server: ApolloServer<RouterContext>) {
  return async (query: string, variables: Record<string, unknown>, identity: Identity, operationName?: string): Promise<StateResult> => {
    const response = await server.executeOperation(
      { query, variables, operationName },
      { contextValue: { identity, requestId: crypto.randomUUID() } },
    );
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not used by the router');
    const { data, errors } = response.body.singleResult;
    return { data: data as Record<string, unknown> | null | undefined, ...(errors ? { errors } : {}) };
  };
}

/** An HTTP refusal as a graphql-ws error message: the `http` extension means nothing on a socket. */
function withoutHttp(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/** Formatted errors (plain objects) back into GraphQLErrors, which graphql-ws requires for `error` messages. */
function asGraphQLErrors(errors: readonly unknown[]): GraphQLError[] {
  return errors.map((e) => {
    const { message, extensions, path } = e as { message: string; extensions?: Record<string, unknown>; path?: (string | number)[] };
    return new GraphQLError(message, { extensions, path });
  });
}

const CLIENT_PARAMS = ['apollographql-client-name', 'apollographql-client-version'];

/**
 * The headers that name the client to the safelist: the upgrade request's (a mini-program's Referer, or any client
 * that can set headers), else those two names from connectionParams (a browser cannot set headers on a WebSocket).
 */
function clientHeaders(request: http.IncomingMessage, params: Readonly<Record<string, unknown>> | undefined) {
  return {
    get(name: string): string | undefined {
      const header = request.headers[name];
      if (header !== undefined) return Array.isArray(header) ? header[0] : header;
      const param = CLIENT_PARAMS.includes(name) ? params?.[name] : undefined;
      return typeof param === 'string' ? param : undefined;
    },
  };
}

/** Must be called before `server.start()`: the API schema is announced when the gateway loads the supergraph. */
export function attachSubscriptions(options: {
  httpServer: http.Server;
  path: string;
  config: Config;
  server: ApolloServer<RouterContext>;
  gateway: ApolloGateway;
  bus: EventBus;
  revocations: SessionRevocations;
  /** The router's safelist: each subscribe is held to its client's mode like an HTTP request. */
  safelist?: Pick<Safelist, 'checkSubscription'>;
}): SubscriptionServer {
  const { config, bus, revocations } = options;
  const limits = config.subscriptions;
  let schema: GraphQLSchema | undefined;
  options.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    schema = apiSchema;
  });
  const execute = executorOf(options.server);
  const connections = new WeakMap<WebSocket, ConnectionState>();
  const slots = createSubscriptionSlots(config);
  // Sockets by login session, to close them when the session is revoked (on any router: the list is shared).
  const bySession = new Map<string, Set<WebSocket>>();
  const stopRevocations = revocations.onRevoked((sessionId) => {
    for (const socket of bySession.get(sessionId) ?? []) refuse(socket, SESSION_REVOKED_REASON);
  });
  // Every open subscription's "read again": after the bus reconnects (pub/sub messages sent meanwhile are lost).
  const rereads = new Set<() => void>();
  const stopReconnects = bus.onClientReconnect(() => {
    for (const reread of rereads) reread();
  });

  // A message is one operation: the HTTP body limit applies to it as well.
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: config.maxRequestBodyBytes });

  const refuse = (socket: WebSocket, reason: string) => socket.close(CLOSE_UNAUTHORIZED, reason.slice(0, 120));

  const armExpiry = (socket: WebSocket, state: ConnectionState, expiresAt: number) => {
    if (!Number.isFinite(expiresAt)) return;
    // setTimeout holds at most ~24.8 days; a longer token re-arms.
    const delay = Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1);
    state.expiryTimer = setTimeout(() => {
      if (Date.now() >= expiresAt) refuse(socket, 'Unauthorized: access token expired; reconnect with a fresh token');
      else armExpiry(socket, state, expiresAt);
    }, delay);
  };

  const refusals: Record<string, number> = {};
  const handle = useServer<Record<string, unknown>, SocketExtra>(
    tallyingRefusals(refusals, {
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        try {
          const { identity, expiresAt } = connectionIdentity(ctx.connectionParams, request, config, revocations);
          const state: ConnectionState = { identity, active: new Set() };
          connections.set(socket, state);
          armExpiry(socket, state, expiresAt);
          if (identity.sessionId) {
            let sockets = bySession.get(identity.sessionId);
            if (!sockets) bySession.set(identity.sessionId, (sockets = new Set()));
            sockets.add(socket);
          }
          return true;
        } catch (error) {
          if (!(error instanceof ConnectionRefused)) throw error;
          refuse(socket, error.message);
          return false;
        }
      },

      async onSubscribe(ctx, id, payload) {
        const state = connections.get(ctx.extra.socket);
        if (!state) return [shopError('UNAUTHENTICATED', 'Sign in first')];
        if (!schema) return [shopError('INTERNAL_SERVER_ERROR', 'The router has not loaded its schema yet')];
        const variables = (payload.variables ?? {}) as Record<string, unknown>;
        // The same input hygiene as over HTTP (router/input-hygiene.ts); the message was parsed by graphql-ws already.
        if (valueNestsDeeperThan(variables, config.maxJsonDepth - 2)) {
          return [shopError('BAD_USER_INPUT', `Variables nest more than ${config.maxJsonDepth} levels deep`, { limit: 'jsonDepth', max: config.maxJsonDepth })];
        }
        const named = operationNameRefusal(payload.operationName, config.maxOperationNameLength);
        const badVariables = named ? undefined : variablesRefusal(variables);
        if (named ?? badVariables) return [withoutHttp((named ?? badVariables)!)];

        let query = payload.query;
        if (options.safelist) {
          const checked = await options.safelist.checkSubscription({
            headers: clientHeaders(ctx.extra.request, ctx.connectionParams),
            identity: state.identity,
            query,
            extensions: payload.extensions,
            operationName: payload.operationName,
          });
          if ('refusal' in checked) return [withoutHttp(checked.refusal)];
          query = checked.query;
        }

        let document: DocumentNode;
        try {
          document = parse(query, { maxTokens: config.operationLimits.maxTokens });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (/more th(?:an|at) \d+ tokens/.test(message)) {
            const max = config.operationLimits.maxTokens;
            return [shopError('BAD_USER_INPUT', `Operation refused: the document has more than ${max} tokens`, { limit: 'tokens', max })];
          }
          return [shopError('GRAPHQL_PARSE_FAILED' as never, message)];
        }
        const badDocument = documentRefusal(document, config.operationLimits.maxFields);
        if (badDocument) return [withoutHttp(badDocument)];
        const invalid = validate(schema, document);
        if (invalid.length) return invalid.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const overLimits = validate(schema, document, limitRules(config.operationLimits, { maxPageSize: config.maxPageSize, variables }));
        if (overLimits.length) return overLimits;
        const prepared = prepareOrderSubscription(document, payload.operationName ?? undefined, variables);
        if (Array.isArray(prepared)) return prepared;

        // Caps: reserved before the access check (which awaits), so concurrent subscribes cannot overshoot them.
        if (state.active.size >= limits.perConnection) {
          return [shopError('RATE_LIMITED', `At most ${limits.perConnection} subscriptions per connection`, { limit: 'subscriptionsPerConnection', max: limits.perConnection })];
        }
        state.active.add(id);
        const slotId = crypto.randomUUID();
        const full = await slots.acquire(slotId, state.identity.userId, state.identity.clientIp ?? 'unknown');
        if (full) {
          state.active.delete(id);
          return full === 'user'
            ? [shopError('RATE_LIMITED', `At most ${limits.perUser} subscriptions per user`, { limit: 'subscriptionsPerUser', max: limits.perUser })]
            : [shopError('RATE_LIMITED', `At most ${limits.perAddress} subscriptions per client address`, { limit: 'subscriptionsPerAddress', max: limits.perAddress })];
        }
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          state.active.delete(id);
          slots.release(slotId);
        };

        try {
          const access = await execute(ORDER_ACCESS_QUERY, { id: prepared.orderId }, state.identity);
          if (access.errors?.length) {
            release();
            return asGraphQLErrors(access.errors);
          }
          if (!(access.data?.order as { id?: string } | null)?.id) {
            release();
            return [shopError('NOT_FOUND', `Order ${prepared.orderId} not found`)];
          }
        } catch (error) {
          release();
          throw error;
        }
        const contextValue: SubscriptionContext = { prepared, identity: state.identity, release };
        return { schema, document, operationName: payload.operationName, variableValues: variables, contextValue };
      },

      async subscribe(args) {
        const { prepared, identity, release } = args.contextValue as SubscriptionContext;
        return orderStateStream({
          listen: (onMessage) => bus.subscribeClient(clientChannel(ORDER_STREAM, prepared.orderId), onMessage),
          read: () => execute(prepared.query, prepared.variables, identity, prepared.operationName),
          queueMax: limits.queueMax,
          rereadMs: limits.rereadMs,
          onReread: (reread) => {
            rereads.add(reread);
            return () => void rereads.delete(reread);
          },
          onEnd: release,
        }) as never;
      },

      // Results are already formatted by the router's Apollo Server: sent as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as never,

      onClose(ctx) {
        const state = connections.get(ctx.extra.socket);
        if (state?.expiryTimer) clearTimeout(state.expiryTimer);
        const sessionId = state?.identity.sessionId;
        const sockets = sessionId ? bySession.get(sessionId) : undefined;
        if (sockets?.delete(ctx.extra.socket) && !sockets.size) bySession.delete(sessionId!);
        connections.delete(ctx.extra.socket);
      },
    }),
    wss,
    limits.keepAliveMs,
  );

  return {
    // An open subscription is one reading its order again on reconnects (order-status.ts registers it until it ends).
    stats: () => ({ sockets: wss.clients.size, subscriptions: rereads.size, refusals }),
    async close() {
      stopRevocations();
      stopReconnects();
      // Before graphql-ws's dispose, which says 1001 Going away (a client may take it for "do not come back").
      for (const socket of wss.clients) socket.close(CLOSE_SERVICE_RESTART, SERVICE_RESTART_REASON);
      await handle.dispose();
      await slots.close();
    },
  };
}
