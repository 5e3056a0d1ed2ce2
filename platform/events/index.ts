/** The events platform: outbox, relay, bus (Redis Streams + pub/sub, or in process), idempotent consumers, jobs. */
export * from './types';
export * from './tables';
export * from './outbox';
export * from './bus';
export * from './relay';
export * from './consumer';
export * from './jobs';
export * from './retention';
export * from './dead-letters';
export * from './runtime';
