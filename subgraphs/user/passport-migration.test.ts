/**
 * Migration 110 keeps existing WeChat accounts: users.wechat_openid / wechat_unionid become account_platforms rows of
 * the same account ids (a unionid carried by two accounts stays with the oldest), the columns go, and `down` brings
 * them back. Runs the user migrations in a scratch schema of the run's PostgreSQL (search_path per connection), so it
 * needs DATABASE_URL (the embedded PGlite shares one session between connections).
 */
import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { migrations } from './migrations';

const url = process.env.SHOP_TEST_SEPARATE_ROLES === 'true' ? process.env.DATABASE_URL : undefined;
const describeWithPostgres = url ? describe : describe.skip;

describeWithPostgres('migration 110_passport_identities_sms_codes', () => {
  const schema = `passport_mig_${crypto.randomBytes(4).toString('hex')}`;
  let db: Knex;
  beforeAll(async () => {
    const admin = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await admin.raw('CREATE SCHEMA ??', [schema]);
    await admin.destroy();
    db = knexFactory({ client: 'pg', connection: url, searchPath: [schema], pool: { min: 0, max: 1 } });
  });
  afterAll(async () => {
    await db?.raw('DROP SCHEMA IF EXISTS ?? CASCADE', [schema]);
    await db?.destroy();
  });

  it('moves openids and unionids into account_platforms, keeping account ids, and down restores them', async () => {
    const first = migrations.find((m) => m.name.startsWith('001_'))!;
    const passport = migrations.find((m) => m.name.startsWith('110_'))!;
    await first.up(db);
    const insert = async (row: Record<string, unknown>) => String((await db('users').insert(row).returning('id'))[0].id);
    const a = await insert({ nickname: 'a', wechat_openid: 'o-a', wechat_unionid: 'u-shared' });
    const b = await insert({ nickname: 'b', wechat_openid: 'o-b', wechat_unionid: 'u-shared' });
    const c = await insert({ nickname: 'c', phone: '13800000000', password_hash: 'x' });
    const d = await insert({ nickname: 'd', wechat_openid: 'o-d' });

    await passport.up(db);
    const rows = await db('account_platforms').select('user_id', 'platform', 'platform_id').orderBy(['user_id', 'platform']);
    expect(rows.map((r: { user_id: string | number; platform: string; platform_id: string }) => [String(r.user_id), r.platform, r.platform_id])).toEqual([
      [a, 'wechat_mp', 'o-a'],
      [a, 'wechat_union', 'u-shared'],
      [b, 'wechat_mp', 'o-b'],
      [d, 'wechat_mp', 'o-d'],
    ]);
    const columns = Object.keys(await db('users').columnInfo());
    expect(columns).not.toContain('wechat_openid');
    expect(columns).toContain('merged_into_user_id');
    expect(await db('users').where({ id: c }).first()).toMatchObject({ phone: '13800000000' });
    // The unique indexes now hold.
    await expect(db('account_platforms').insert({ user_id: c, platform: 'wechat_mp', platform_id: 'o-a' })).rejects.toMatchObject({ code: '23505' });

    await passport.down(db);
    const restored = await db('users').select('id', 'wechat_openid', 'wechat_unionid').orderBy('id');
    expect(restored.map((r: { id: string | number; wechat_openid: string | null; wechat_unionid: string | null }) => [String(r.id), r.wechat_openid, r.wechat_unionid])).toEqual([
      [a, 'o-a', 'u-shared'],
      [b, 'o-b', null],
      [c, null, null],
      [d, 'o-d', null],
    ]);
  });
});
