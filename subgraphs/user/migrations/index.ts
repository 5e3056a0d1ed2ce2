import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { grantDefaultMenus, syncConsoleMenus } from '../data/menus';
import { messageMigrations } from '../messages/migrations';

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
    // Passport (docs/passport.md): third-party identities one-to-many (seed 002's account_platform), WeChat session
    // keys kept server side, SMS one-time codes, and accounts folded into another one.
    name: '110_passport_identities_sms_codes',
    async up(knex: Knex) {
      await knex.schema.createTable('account_platforms', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        /** wechat_mp (a mini-program openid), wechat_union (an open-platform unionid); more platforms later. */
        t.string('platform', 16).notNullable();
        /** The platform's id of the person (openid, unionid). */
        t.string('platform_id', 128).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        // One owner per identity (concurrent binds: one wins), one identity per platform per account.
        t.unique(['platform', 'platform_id']);
        t.unique(['user_id', 'platform']);
      });
      // Existing WeChat accounts keep signing in: their openid and unionid move here, same account ids.
      await knex.raw(
        `INSERT INTO account_platforms (user_id, platform, platform_id, created_at)
         SELECT id, 'wechat_mp', wechat_openid, created_at FROM users WHERE wechat_openid IS NOT NULL`,
      );
      // The old column had no unique index on the unionid: keep the oldest account's, the others stay unbound.
      await knex.raw(
        `INSERT INTO account_platforms (user_id, platform, platform_id, created_at)
         SELECT DISTINCT ON (wechat_unionid) id, 'wechat_union', wechat_unionid, created_at
           FROM users WHERE wechat_unionid IS NOT NULL ORDER BY wechat_unionid, id`,
      );
      await knex.schema.alterTable('users', (t) => {
        t.dropColumn('wechat_openid');
        t.dropColumn('wechat_unionid');
        /** Set when this (empty, half) account was folded into another one: it can no longer sign in. */
        t.bigInteger('merged_into_user_id').references('id').inTable('users');
      });

      // The session_key of the latest jscode2session per openid, sealed with AES-256-GCM (never sent to clients).
      await knex.schema.createTable('wechat_sessions', (t) => {
        t.string('openid', 128).primary();
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        /** base64(iv ‖ ciphertext ‖ tag) of the session key, under a key derived from JWT_SECRET. */
        t.text('sealed_session_key').notNullable();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['user_id']);
      });

      await knex.schema.createTable('sms_codes', (t) => {
        t.bigIncrements('id');
        t.string('phone', 11).notNullable();
        /** register, login, reset, bind. */
        t.string('purpose', 16).notNullable();
        /** For `bind`: the account that asked; the code binds the phone to that account only. */
        t.bigInteger('user_id').references('id').inTable('users').onDelete('CASCADE');
        /** Hex HMAC-SHA256 of the code under a server key: the code itself is never stored. */
        t.string('code_hash', 64).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.timestamp('expires_at', { useTz: true }).notNullable();
        /** Used (or replaced by a newer code): never accepted again. */
        t.timestamp('consumed_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['phone', 'purpose', 'id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('sms_codes');
      await knex.schema.dropTableIfExists('wechat_sessions');
      await knex.schema.alterTable('users', (t) => {
        t.dropColumn('merged_into_user_id');
        t.string('wechat_openid', 64).unique();
        t.string('wechat_unionid', 64).index();
      });
      await knex.raw(
        `UPDATE users u SET wechat_openid = p.platform_id FROM account_platforms p WHERE p.user_id = u.id AND p.platform = 'wechat_mp'`,
      );
      await knex.raw(
        `UPDATE users u SET wechat_unionid = p.platform_id FROM account_platforms p WHERE p.user_id = u.id AND p.platform = 'wechat_union'`,
      );
      await knex.schema.dropTableIfExists('account_platforms');
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
  // Shopper messages (docs/messages.md): event tables, consents, sent messages.
  ...messageMigrations,
  {
    // Families and membership (families.ts, membership.ts, activation-codes.ts; docs/families.md). The outbox it
    // writes MembershipChanged to is messages' 150_events.
    name: '200_families_membership',
    async up(knex: Knex) {
      await knex.schema.createTable('families', (t) => {
        t.bigIncrements('id');
        t.bigInteger('owner_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('name', 64).notNullable();
        t.string('contact_name', 64).notNullable();
        t.string('phone', 20).notNullable();
        t.string('province', 64).notNullable();
        t.string('city', 64).notNullable();
        t.string('district', 64).notNullable();
        t.string('detail', 400).notNullable();
        t.boolean('is_default').notNullable().defaultTo(false);
        /** NONE, TRIAL, FORMAL: meaningful only while vip_expires_at is in the future (read-time expiry). */
        t.string('vip_level', 8).notNullable().defaultTo('NONE');
        t.timestamp('vip_expires_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['owner_id', 'id']);
      });
      await knex.raw(`ALTER TABLE families ADD CONSTRAINT families_vip_level CHECK (vip_level IN ('NONE', 'TRIAL', 'FORMAL'))`);
      // At most one default per owner; the code keeps "exactly one" (the first family is it; setting moves it).
      await knex.raw('CREATE UNIQUE INDEX families_one_default ON families (owner_id) WHERE is_default');

      await knex.schema.createTable('family_members', (t) => {
        t.bigInteger('family_id').notNullable().references('id').inTable('families').onDelete('CASCADE');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.timestamp('added_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['family_id', 'user_id']);
        t.index(['user_id']);
      });

      // One free trial per person AND per family: each is its own unique constraint, so concurrent tries cannot both win.
      await knex.schema.createTable('member_trials', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().unique().references('id').inTable('users').onDelete('CASCADE');
        t.bigInteger('family_id').notNullable().unique().references('id').inTable('families').onDelete('CASCADE');
        t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true }).notNullable();
      });

      await knex.schema.createTable('activation_code_batches', (t) => {
        t.bigIncrements('id');
        /** Days of FORMAL membership each code of the batch grants (seed js_active_code.cyc). */
        t.integer('cycle_days').notNullable();
        t.string('purpose', 128).notNullable();
        t.integer('code_count').notNullable();
        t.bigInteger('created_by').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('activation_codes', (t) => {
        t.bigIncrements('id');
        t.bigInteger('batch_id').notNullable().references('id').inTable('activation_code_batches').onDelete('CASCADE');
        /** Hex SHA-256 of the normalized code: codes are bearer secrets, shown once at creation, never stored. */
        t.string('code_hash', 64).notNullable().unique();
        /** OK, USED, CANCELED. */
        t.string('status', 8).notNullable().defaultTo('OK');
        t.bigInteger('used_by').references('id').inTable('users').onDelete('SET NULL');
        t.bigInteger('used_family_id').references('id').inTable('families').onDelete('SET NULL');
        /** The client address the code was used from. */
        t.string('used_ip', 64);
        t.timestamp('used_at', { useTz: true });
        t.timestamp('canceled_at', { useTz: true });
        t.index(['batch_id', 'status']);
      });
      await knex.raw(`ALTER TABLE activation_codes ADD CONSTRAINT activation_codes_status CHECK (status IN ('OK', 'USED', 'CANCELED'))`);

      // Every activation attempt that reached the code check (seed js_access_risk): who, from where, what came of it.
      await knex.schema.createTable('access_risks', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').references('id').inTable('users').onDelete('SET NULL');
        t.string('ip', 64);
        t.string('path', 32).notNullable();
        /** ACTIVATED, INVALID, USED, CANCELED. */
        t.string('outcome', 16).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['ip', 'created_at']);
        t.index(['user_id', 'created_at']);
      });
    },
    async down(knex: Knex) {
      for (const table of ['access_risks', 'activation_codes', 'activation_code_batches', 'member_trials', 'family_members', 'families']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  {
    // Paid membership years granted by payment's member card (membership-grants.ts): the key makes a grant happen once.
    name: '302_membership_grants',
    async up(knex: Knex) {
      await knex.schema.createTable('membership_grants', (t) => {
        // MC<member card order id>: payment's reference; a repeated call finds it and changes nothing.
        t.string('grant_key', 64).primary();
        t.bigInteger('family_id').notNullable().references('id').inTable('families');
        t.integer('months').notNullable();
        t.timestamp('expires_before', { useTz: true });
        t.timestamp('expires_after', { useTz: true }).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['family_id']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('membership_grants');
    },
  },
  {
    // The operations console's menus and which roles see them (seed 004 §3.1.1: menu, role_menu). The menu list is
    // the console's: rows are (re)written from CONSOLE_MENUS at every start (console-menus.ts); role_menus is edited
    // by staff admins. Roles that exist already get their default menus here; roles made later, at their creation.
    name: '500_console_menus',
    async up(knex: Knex) {
      await knex.schema.createTable('console_menus', (t) => {
        t.string('key', 32).primary();
        t.string('name', 50).notNullable();
        /** The directory (type 0 in the seed) this menu sits in; null for a directory itself. */
        t.string('parent_key', 32);
        /** The console's path (the seed's url); null for a directory. */
        t.string('path', 100);
        /** The scope the menu's operations need (the seed's perms); null when none. */
        t.string('scope', 32);
        t.integer('sort_order').notNullable();
      });
      await knex.schema.createTable('role_menus', (t) => {
        t.bigInteger('role_id').notNullable().references('id').inTable('roles').onDelete('CASCADE');
        t.string('menu_key', 32).notNullable().references('key').inTable('console_menus').onDelete('CASCADE');
        t.primary(['role_id', 'menu_key']);
      });
      await syncConsoleMenus(knex);
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name);
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('role_menus');
      await knex.schema.dropTableIfExists('console_menus');
    },
  },
  {
    // The back office's console menus (docs/console.md): roles that existed when 500 ran get these new pages by their
    // defaults; roles made later get them at creation. Admins' edits of other menus are left alone.
    name: '501_back_office_menus',
    async up(knex: Knex) {
      await syncConsoleMenus(knex);
      const keys = ['backoffice', 'bo-identify', 'bo-redeem', 'bo-stats', 'bo-terminals', 'bo-stores', 'bo-accounts', 'bo-roles'];
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, keys);
    },
    async down(knex: Knex) {
      await knex('console_menus').where('key', 'like', 'bo-%').orWhere('key', 'backoffice').delete();
    },
  },
  {
    // The merchant back office (docs/back-office.md): the directory of sales branches, franchisees and stores (looked up
    // by their business codes, never by id), staff accounts scoped to stores, and the account ↔ store relation.
    name: '510_back_office_directory_and_accounts',
    async up(knex: Knex) {
      await knex.schema.createTable('sales_branches', (t) => {
        t.bigIncrements('id');
        t.string('code', 32).notNullable().unique();
        t.string('name', 64).notNullable();
        /** ACTIVE or DISABLED. */
        t.string('status', 16).notNullable().defaultTo('ACTIVE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('franchisees', (t) => {
        t.bigIncrements('id');
        t.string('code', 32).notNullable().unique();
        t.string('name', 64).notNullable();
        t.string('contact_name', 32);
        t.string('contact_phone', 20);
        t.string('status', 16).notNullable().defaultTo('ACTIVE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('stores', (t) => {
        t.bigIncrements('id');
        t.string('code', 32).notNullable().unique();
        t.string('name', 64).notNullable();
        t.bigInteger('franchisee_id').references('id').inTable('franchisees');
        t.bigInteger('branch_id').references('id').inTable('sales_branches');
        t.string('address', 200);
        t.string('phone', 20);
        /** ACTIVE or DISABLED: whether the store is part of the shop at all. */
        t.string('status', 16).notNullable().defaultTo('ACTIVE');
        /** OPEN, PAUSED or CLOSED (营业状态): whether it serves customers now. */
        t.string('business_status', 16).notNullable().defaultTo('OPEN');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['franchisee_id', 'id']);
        t.index(['branch_id', 'id']);
      });
      for (const table of ['sales_branches', 'franchisees', 'stores']) {
        await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_status CHECK (status IN ('ACTIVE', 'DISABLED'))`);
      }
      await knex.raw(`ALTER TABLE stores ADD CONSTRAINT stores_business_status CHECK (business_status IN ('OPEN', 'PAUSED', 'CLOSED'))`);

      // A staff account of the back office: a users row (signs in with `login`) plus who it is and where it may act.
      await knex.schema.createTable('staff_accounts', (t) => {
        t.bigInteger('user_id').primary().references('id').inTable('users').onDelete('CASCADE');
        t.string('real_name', 32).notNullable();
        t.string('phone', 20);
        /** The seed's pid = 0: a super-admin acts for every store. */
        t.boolean('all_stores').notNullable().defaultTo(false);
        /** Set while the account is disabled: it cannot sign in and its sessions were ended. */
        t.timestamp('disabled_at', { useTz: true });
        t.bigInteger('created_by');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['real_name']);
        t.index(['phone']);
      });
      await knex.schema.createTable('staff_account_stores', (t) => {
        t.bigInteger('user_id').notNullable().references('user_id').inTable('staff_accounts').onDelete('CASCADE');
        t.bigInteger('store_id').notNullable().references('id').inTable('stores').onDelete('CASCADE');
        t.primary(['user_id', 'store_id']);
        t.index(['store_id']);
      });
    },
    async down(knex: Knex) {
      for (const table of ['staff_account_stores', 'staff_accounts', 'stores', 'franchisees', 'sales_branches']) {
        await knex.schema.dropTableIfExists(table);
      }
    },
  },
  {
    // Terminals (设备) bound to a store with a one-time code; each signs in as its own account (docs/back-office.md).
    name: '511_terminals',
    async up(knex: Knex) {
      await knex.schema.createTable('terminals', (t) => {
        t.bigIncrements('id');
        t.bigInteger('store_id').notNullable().references('id').inTable('stores');
        /** The account the terminal signs in as: a staff account acting for this one store. */
        t.bigInteger('user_id').notNullable().unique().references('id').inTable('users');
        t.string('name', 64).notNullable();
        t.string('device_id', 64);
        /** Hex sha256 of the device secret given once at binding: the secret itself is never stored. */
        t.string('secret_hash', 64).notNullable().unique();
        t.bigInteger('bound_by').notNullable();
        t.timestamp('bound_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('last_seen_at', { useTz: true });
        t.timestamp('revoked_at', { useTz: true });
        t.index(['store_id', 'id']);
      });
      await knex.schema.createTable('terminal_binding_codes', (t) => {
        /** Hex sha256 of the one-time code. */
        t.string('code_hash', 64).primary();
        t.bigInteger('store_id').notNullable().references('id').inTable('stores');
        t.bigInteger('issued_by').notNullable();
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.timestamp('used_at', { useTz: true });
        t.bigInteger('terminal_id').references('id').inTable('terminals');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('terminal_binding_codes');
      await knex.schema.dropTableIfExists('terminals');
    },
  },
  {
    // Member card numbers (WeChat card, Alipay card, the shop's own card) per account, for member identification.
    name: '512_member_cards',
    async up(knex: Knex) {
      await knex.schema.createTable('member_cards', (t) => {
        /** WECHAT, ALIPAY or SHOP. */
        t.string('kind', 8).notNullable();
        t.string('number', 32).notNullable();
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['kind', 'number']);
        t.unique(['user_id', 'kind']);
      });
      await knex.raw(`ALTER TABLE member_cards ADD CONSTRAINT member_cards_kind CHECK (kind IN ('WECHAT', 'ALIPAY', 'SHOP'))`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('member_cards');
    },
  },
  {
    // The back office's statistics read model (docs/back-office.md, "Statistics"): per store and Shanghai day, built
    // by idempotent consumers of order's and promote's events (store-stats.ts). Online orders have no store: they
    // count under the store code ONLINE (the online shop as its own store).
    name: '540_store_statistics',
    async up(knex: Knex) {
      await knex.schema.createTable('stats_store_days', (t) => {
        t.string('store_code', 32).notNullable();
        t.date('day').notNullable();
        t.integer('orders_placed').notNullable().defaultTo(0);
        t.integer('orders_paid').notNullable().defaultTo(0);
        /** Fen: totals of the orders paid that day. */
        t.bigInteger('sales_amount').notNullable().defaultTo(0);
        t.integer('orders_cancelled').notNullable().defaultTo(0);
        t.integer('orders_refunded').notNullable().defaultTo(0);
        t.bigInteger('refunded_amount').notNullable().defaultTo(0);
        t.integer('coupons_redeemed').notNullable().defaultTo(0);
        /** Fen: face amounts of the coupons redeemed at the store that day. */
        t.bigInteger('coupon_amount').notNullable().defaultTo(0);
        t.primary(['store_code', 'day']);
      });
      // Each order's total and day, from OrderPlaced: what PAID / REFUNDED add to the day they happen.
      await knex.schema.createTable('stats_orders', (t) => {
        t.bigInteger('order_id').primary();
        t.string('store_code', 32).notNullable();
        t.bigInteger('total').notNullable();
        t.timestamp('placed_at', { useTz: true }).notNullable();
      });
      await knex.schema.createTable('stats_store_sku_days', (t) => {
        t.string('store_code', 32).notNullable();
        t.date('day').notNullable();
        t.bigInteger('sku_id').notNullable();
        t.bigInteger('product_id').notNullable();
        /** Units of completed orders (received by the shopper) that day. */
        t.integer('quantity').notNullable().defaultTo(0);
        t.integer('orders').notNullable().defaultTo(0);
        t.primary(['store_code', 'day', 'sku_id']);
      });
    },
    async down(knex: Knex) {
      for (const table of ['stats_store_sku_days', 'stats_orders', 'stats_store_days']) await knex.schema.dropTableIfExists(table);
    },
  },
  {
    // Staff reads of shoppers (docs/shoppers.md): the audit of personal-data reads (one row per detail read, never
    // updated or deleted by the API), the nickname prefix search's index, and the 会员/顾客 console page for the roles
    // that see it by default (admin). Staff and shoppers are kept as ids, not foreign keys: the log outlives accounts.
    name: '600_shopper_lookup',
    async up(knex: Knex) {
      // Safe to run again (tested that way): only the grants below depend on what exists.
      if (!(await knex.schema.hasTable('shopper_access_log'))) await knex.schema.createTable('shopper_access_log', (t) => {
        t.bigIncrements('id');
        t.bigInteger('staff_user_id').notNullable();
        t.bigInteger('shopper_id').notNullable();
        /** PROFILE (mobile, addresses: shopper(id)) or WALLET (balance, bills: payment's staff wallet read). */
        t.string('what', 16).notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['shopper_id', 'id']);
      });
      await knex.raw('CREATE INDEX IF NOT EXISTS users_nickname_prefix ON users (nickname text_pattern_ops)');
      // The admin role holds every scope (staff.ts); until the next seed or create-staff rewrote it, it would see the
      // new menu and be refused its API.
      const admin = await knex('roles').where({ name: 'admin' }).first('id');
      if (admin) await knex('role_scopes').insert({ role_id: admin.id, scope: 'customer:read' }).onConflict(['role_id', 'scope']).ignore();
      await syncConsoleMenus(knex);
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, ['shoppers']);
    },
    async down(knex: Knex) {
      await knex('role_scopes').where({ scope: 'customer:read' }).delete();
      await knex('console_menus').where('key', 'shoppers').delete();
      await knex.raw('DROP INDEX IF EXISTS users_nickname_prefix');
      await knex.schema.dropTableIfExists('shopper_access_log');
    },
  },
  {
    // The back office's franchisee, sales branch and member card pages (docs/console.md): roles that existed before get
    // them by their defaults (admin, backoffice); roles made later get them at creation. Other menus are left alone.
    name: '620_back_office_directory_menus',
    async up(knex: Knex) {
      await syncConsoleMenus(knex);
      const keys = ['backoffice', 'bo-franchisees', 'bo-branches', 'bo-member-cards'];
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, keys);
    },
    async down(knex: Knex) {
      await knex('console_menus').whereIn('key', ['bo-franchisees', 'bo-branches', 'bo-member-cards']).delete();
    },
  },
  {
    // The 客户端发布 page (docs/console.md): roles that existed before it get it by their defaults (admin, releases;
    // releases also the 系统 directory it sits in); roles made later get it at creation. Other menus are left alone.
    name: '630_client_releases_menu',
    async up(knex: Knex) {
      await syncConsoleMenus(knex);
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, ['system', 'clients']);
    },
    async down(knex: Knex) {
      await knex('console_menus').where({ key: 'clients' }).delete();
    },
  },
  {
    // 库存统计 (docs/console.md): the menu, given by default to the roles that hold catalog:write (admin, catalog) with
    // the 门店后台 directory it sits in; store roles do not get it (their scope cannot read the online shop's stock).
    // Range 640-649.
    name: '640_inventory_menu',
    async up(knex: Knex) {
      await syncConsoleMenus(knex);
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, ['backoffice', 'bo-inventory']);
    },
    async down(knex: Knex) {
      await knex('console_menus').where('key', 'bo-inventory').delete();
    },
  },
  {
    // 顾客信息访问日志 (docs/shoppers.md): the shoppers' access log page, staff:admin's, given by default to admin only
    // (the 系统 directory it sits in is already admin's). Roles made later get it at creation. Range 650-659.
    name: '650_shopper_access_menu',
    async up(knex: Knex) {
      await syncConsoleMenus(knex);
      const roles: { id: string; name: string }[] = await knex('roles').select('id', 'name');
      for (const role of roles) await grantDefaultMenus(knex, String(role.id), role.name, ['system', 'shopper-access']);
    },
    async down(knex: Knex) {
      await knex('console_menus').where('key', 'shopper-access').delete();
    },
  },
  {
    // The access log filtered by staff member (docs/shoppers.md): one member's reads, newest first, without walking
    // everyone's. A time range alone needs none: ids grow with created_at. Range 660-669.
    name: '660_shopper_access_by_staff',
    async up(knex: Knex) {
      await knex.raw('CREATE INDEX IF NOT EXISTS shopper_access_log_staff_user_id_id_index ON shopper_access_log (staff_user_id, id)');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS shopper_access_log_staff_user_id_id_index');
    },
  },
];
