/**
 * Operation names that get an `operation` label of their own in the metrics (platform/metrics.ts): the names the
 * shop's own clients and tools send (the README tour, the explorer's examples, the bench, the mini-program's
 * subscription). A name not here nor in METRICS_OPERATIONS counts as `unknown`, so a client cannot grow the number of
 * series by inventing names. The persisted-operation manifest (issue 21) will register its names through
 * `metrics.operations.plug(...)` instead of this list.
 */
export const KNOWN_OPERATIONS: readonly string[] = [
  // Catalog and home page (bench/production.ts, README tour)
  'Home',
  'Categories',
  'CategoryPage',
  'Products',
  'ProductPage',
  'ProductDetail',
  'ProductWithReviews',
  'Search',
  'List20',
  // Shopper flows
  'Me',
  'Login',
  'Cart',
  'AddToCart',
  'Preview',
  'PreviewOrder',
  'CreateOrder',
  'PayOrder',
  'Orders',
  'Order',
  'MyCoupons',
  // Subscriptions (clients/miniprogram/src/wechat-graphql-ws.ts, docs/subscriptions.md)
  'Watch',
  'OrderStatus',
  // The router's own reads for subscriptions (router/subscriptions/order-status.ts)
  'OrderSubscriptionAccess',
  // The explorer's schema read
  'IntrospectionQuery',
];
