/**
 * `orderStatusChanged(orderId)`, executed by the router (the gateway cannot execute subscriptions). The client's
 * selection is turned into the query `order(id: $orderId) { <selection> }` and run through the supergraph with the
 * subscriber's identity: first for the current state, then again after every message on the order's channel.
 * Messages only say "look again" (Redis pub/sub may drop them), so what the client receives is always read, never
 * reconstructed from a message, and its last state is the order's latest.
 */
import {
  getOperationAST,
  GraphQLID,
  GraphQLNonNull,
  Kind,
  OperationTypeNode,
  print,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
} from 'graphql';
import { shopError } from '../../platform/errors';
import { log } from '../../platform/log';

export const ORDER_STATUS_FIELD = 'orderStatusChanged';

/** A subscription ready to run: the order it watches and the query that reads the client's selection. */
export interface PreparedOrderSubscription {
  orderId: string;
  query: string;
  variables: Record<string, unknown>;
  operationName?: string;
}

/** What the router sends to check the subscriber may see the order (null: not theirs, or none). */
export const ORDER_ACCESS_QUERY = 'query OrderSubscriptionAccess($id: ID!) { order(id: $id) { id } }';

/** Rewrites a validated subscription document into the query that reads its selection; errors for anything else. */
export function prepareOrderSubscription(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
): PreparedOrderSubscription | GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return [shopError('BAD_USER_INPUT', 'Only subscriptions go over the WebSocket; send queries and mutations with HTTP POST')];
  }
  const [field] = operation.selectionSet.selections;
  if (operation.selectionSet.selections.length !== 1 || field.kind !== Kind.FIELD || field.name.value !== ORDER_STATUS_FIELD) {
    return [shopError('BAD_USER_INPUT', `Select ${ORDER_STATUS_FIELD} directly (not through a fragment) at the subscription's root`)];
  }
  const argument = field.arguments?.find((a) => a.name.value === 'orderId');
  const orderId = argument ? valueFromAST(argument.value, new GraphQLNonNull(GraphQLID), variables) : undefined;
  if (typeof orderId !== 'string' || !orderId) return [shopError('BAD_USER_INPUT', 'orderId is required', { field: 'orderId' })];

  // Same selection, arguments, directives and fragments; the alias keeps the response key the client expects.
  const read: FieldNode = {
    ...field,
    alias: field.alias ?? { kind: Kind.NAME, value: ORDER_STATUS_FIELD },
    name: { kind: Kind.NAME, value: 'order' },
    arguments: [{ ...argument!, name: { kind: Kind.NAME, value: 'id' } }],
  };
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      { ...operation, operation: OperationTypeNode.QUERY, selectionSet: { kind: Kind.SELECTION_SET, selections: [read] } },
      ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION),
    ],
  };
  return { orderId, query: print(query), variables, operationName: operation.name?.value };
}

/** One result as sent to the client (already formatted by the router's formatError). */
export interface StateResult {
  data?: Record<string, unknown> | null;
  errors?: readonly unknown[];
}

export interface OrderStateStreamOptions {
  /** Subscribes to the order's channel; resolves once subscribed with the function that unsubscribes. */
  listen(onMessage: () => void): Promise<() => Promise<void>>;
  /** Reads the client's selection of the order now. */
  read(): Promise<StateResult>;
  /** States queued for a slow client at most; past it the oldest unsent one is dropped (never the latest). */
  queueMax: number;
  /** Reads again at least this often, messages or not (0: only on messages); the first after a random part of it. */
  rereadMs?: number;
  /** Registers the stream's "read again" for outside causes (the bus reconnected); returns the unregistering function. */
  onReread?(reread: () => void): () => void;
  /** Called once when the stream ends, however it ends. */
  onEnd(): void;
}

/**
 * The subscription's results: the current state, then the state after each message. Bursts are coalesced (messages
 * arriving while a read is running cause one more read, after it) and a state equal to the last one is not sent
 * again, so a client sees each distinct state once. Pull-based: graphql-ws asks for the next result only after the
 * previous one was written to the socket, and at most `queueMax` results wait meanwhile.
 */
export async function orderStateStream(options: OrderStateStreamOptions): Promise<AsyncGenerator<StateResult>> {
  const pending: StateResult[] = [];
  let waiting: ((result: IteratorResult<StateResult>) => void) | undefined;
  let lastKey: string | undefined;
  let ended = false;
  let dirty = false;
  let reading = false;
  let unlisten: (() => Promise<void>) | undefined;
  let rereadTimer: NodeJS.Timeout | undefined;
  let stopRereads: (() => void) | undefined;

  const deliver = (result: StateResult) => {
    const key = JSON.stringify(result);
    if (key === lastKey) return;
    lastKey = key;
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve({ value: result, done: false });
      return;
    }
    pending.push(result);
    if (pending.length > options.queueMax) pending.splice(0, pending.length - options.queueMax);
  };

  const refresh = async () => {
    dirty = true;
    if (reading) return;
    reading = true;
    try {
      while (dirty && !ended) {
        dirty = false;
        let result: StateResult;
        try {
          result = await options.read();
        } catch (error) {
          log.error({ service: 'router', err: error }, 'reading an order for a subscription failed');
          result = { data: null, errors: [{ message: 'Could not read the order; it is read again at its next change', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] };
        }
        if (!ended) deliver(result);
      }
    } finally {
      reading = false;
    }
  };

  const end = async () => {
    if (ended) return;
    ended = true;
    clearTimeout(rereadTimer);
    stopRereads?.();
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    pending.length = 0;
    options.onEnd();
    await unlisten?.().catch((error: unknown) => log.error({ service: 'router', err: error }, 'unsubscribing from an order channel failed'));
  };

  // Listen first, read next: a change committed between the two is seen by the read or by the message after it.
  try {
    unlisten = await options.listen(() => void refresh());
  } catch (error) {
    await end();
    throw error;
  }
  void refresh();
  // A message lost on the way (pub/sub keeps nothing for a subscriber that was not connected) is repaired by the next
  // change, the bus's reconnect, or at the latest by this read: the stream always ends on the order's latest state.
  stopRereads = options.onReread?.(() => void refresh());
  const rereadMs = options.rereadMs ?? 0;
  if (rereadMs > 0) {
    // Spread over the interval: subscriptions opened together do not all read together.
    const schedule = (delay: number) => {
      rereadTimer = setTimeout(() => {
        void refresh();
        if (!ended) schedule(rereadMs);
      }, delay);
      rereadTimer.unref();
    };
    schedule(Math.floor(rereadMs * (0.5 + Math.random() / 2)));
  }

  const stream: AsyncGenerator<StateResult> = {
    next() {
      if (pending.length) return Promise.resolve({ value: pending.shift()!, done: false });
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    async return() {
      await end();
      return { value: undefined, done: true };
    },
    async throw(error) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
