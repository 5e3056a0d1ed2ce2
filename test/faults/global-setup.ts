/**
 * Once per `npm run test:faults`: each test file starts shops with databases of their own (test/support/faults),
 * created and dropped on the server DATABASE_URL names; this only records that server. Without DATABASE_URL and
 * REDIS_URL the fault tests are skipped (they need real PostgreSQL and Redis: separate processes cannot share the
 * embedded databases, and killing Redis needs a Redis).
 */
export default async function globalSetup() {
  process.env.NODE_ENV = 'test';
  if (process.env.DATABASE_URL) process.env.SHOP_TEST_ADMIN_URL = process.env.DATABASE_URL;
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
    console.warn('\n[test:faults] DATABASE_URL and REDIS_URL are not both set: every fault test is skipped.');
  }
}
