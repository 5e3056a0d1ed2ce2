/** Moved into the mini-program kit (clients/miniprogram/src/wechat-graphql-ws.ts); this path keeps old imports working. */
export * from './miniprogram/src/wechat-graphql-ws';
