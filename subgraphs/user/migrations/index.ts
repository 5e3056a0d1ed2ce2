import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';

export const migrations: Migration[] = [
  {
    name: '001_users_sessions_roles_addresses',
    async up(knex: Knex) {
      // Every way to sign in is a nullable unique column: a WeChat user has no phone, a staff account only a username.
      await knex.schema.createTable('users', (t) => {
        t.bigIncrements('id');
        t.string('phone', 11).unique();
        /** Stored lower-cased. */
        t.string('email', 254).unique();
        /** Stored lower-cased. */
        t.string('username', 32).unique();
        /** `scrypt$N$r$p$salt$hash` (see platform/password.ts); null for WeChat-only accounts. */
        t.text('password_hash');
        t.string('nickname', 64);
        t.string('avatar_url', 512);
        t.string('wechat_openid', 64).unique();
        t.string('wechat_unionid', 64).index();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });

      // A session is one sign-in: the family of refresh tokens rotated from it, and the `sid` of its access tokens.
      await knex.schema.createTable('sessions', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        /** How the session started: password, register, wechat. */
        t.string('method', 16).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('revoked_at', { useTz: true });
        /** logout, reuse (a spent refresh token was presented again). */
        t.string('revoked_reason', 16);
        t.index(['user_id']);
      });
      await knex.schema.createTable('refresh_tokens', (t) => {
        t.bigIncrements('id');
        t.bigInteger('session_id').notNullable().references('id').inTable('sessions').onDelete('CASCADE');
        /** Hex sha256 of the token: the token itself is never stored. */
        t.string('token_hash', 64).notNullable().unique();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        /** Set when the token was traded for the next one; a second use is a reuse. */
        t.timestamp('used_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['session_id']);
      });

      await knex.schema.createTable('roles', (t) => {
        t.bigIncrements('id');
        t.string('name', 32).notNullable().unique();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('role_scopes', (t) => {
        t.bigInteger('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
        t.string('scope', 32).notNullable();
        t.primary(['role_id', 'scope']);
      });
      await knex.schema.createTable('user_roles', (t) => {
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.bigInteger('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['user_id', 'role_id']);
      });

      await knex.schema.createTable('addresses', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('contact_name', 32).notNullable();
        t.string('phone', 20).notNullable();
        t.string('province', 32).notNullable();
        t.string('city', 32).notNullable();
        t.string('district', 32).notNullable();
        t.string('detail', 200).notNullable();
        t.boolean('is_default').notNullable().defaultTo(false);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['user_id', 'id']);
      });
      // The database itself keeps "at most one default per user"; the code keeps "at least one".
      await knex.raw('CREATE UNIQUE INDEX addresses_one_default_per_user ON addresses (user_id) WHERE is_default');
    },
    async down(knex: Knex) {
      for (const table of ['addresses', 'user_roles', 'role_scopes', 'roles', 'refresh_tokens', 'sessions', 'users']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  {
    // Favorites (favorites.ts): one row per (shopper, product); the per-product count is kept with the rows.
    name: '160_favorites',
    async up(knex: Knex) {
      await knex.schema.createTable('favorites', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        /** The product subgraph's product id: a value, never joined. */
        t.bigInteger('product_id').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        // Adding twice is a no-op (INSERT ... ON CONFLICT DO NOTHING).
        t.unique(['user_id', 'product_id']);
        // The list: newest first, keyset on id.
        t.index(['user_id', 'id']);
      });
      await knex.schema.createTable('product_favorite_counts', (t) => {
        t.bigInteger('product_id').primary();
        t.integer('count').notNullable().defaultTo(0);
      });
      await knex.raw('ALTER TABLE product_favorite_counts ADD CONSTRAINT product_favorite_counts_not_negative CHECK (count >= 0)');
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('product_favorite_counts');
      await knex.schema.dropTableIfExists('favorites');
    },
  },
];
