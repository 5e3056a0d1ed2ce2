import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';

export const migrations: Migration[] = [
  {
    name: '001_coupons',
    async up(knex: Knex) {
      await knex.schema.createTable('coupon_templates', (t) => {
        t.bigIncrements('id');
        t.string('name', 64).notNullable();
        t.string('type', 16).notNullable();
        t.integer('amount').notNullable();
        t.integer('min_spend').notNullable();
        t.string('scope', 16).notNullable();
        // Ids of the product subgraph's categories / products: kept as values, never joined.
        t.specificType('category_ids', 'bigint[]').notNullable().defaultTo('{}');
        t.specificType('product_ids', 'bigint[]').notNullable().defaultTo('{}');
        t.integer('total_quantity');
        // Claimed coupons plus redeem codes created (a code reserves its coupon when it is created).
        t.integer('issued_count').notNullable().defaultTo(0);
        t.integer('per_user_limit').notNullable();
        t.integer('valid_days');
        t.timestamp('valid_from', { useTz: true });
        t.timestamp('valid_until', { useTz: true });
        t.boolean('claimable').notNullable().defaultTo(true);
        t.boolean('active').notNullable().defaultTo(true);
        t.bigInteger('created_by');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw(`ALTER TABLE coupon_templates
        ADD CONSTRAINT coupon_templates_issued_within_total CHECK (total_quantity IS NULL OR issued_count <= total_quantity),
        ADD CONSTRAINT coupon_templates_window_pair CHECK ((valid_from IS NULL) = (valid_until IS NULL)),
        ADD CONSTRAINT coupon_templates_one_validity CHECK ((valid_days IS NULL) <> (valid_until IS NULL))`);

      await knex.schema.createTable('coupon_codes', (t) => {
        t.bigIncrements('id');
        t.bigInteger('template_id').notNullable().references('id').inTable('coupon_templates');
        t.string('code', 16).notNullable().unique();
        t.bigInteger('created_by');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.bigInteger('redeemed_by');
        t.timestamp('redeemed_at', { useTz: true });
        t.index(['template_id', 'id']);
      });

      await knex.schema.createTable('coupons', (t) => {
        t.bigIncrements('id');
        t.bigInteger('template_id').notNullable().references('id').inTable('coupon_templates');
        t.bigInteger('user_id').notNullable();
        // AVAILABLE, LOCKED or USED; EXPIRED is derived from valid_until when read.
        t.string('status', 16).notNullable();
        // The order holding (LOCKED) or having used (USED) the coupon.
        t.bigInteger('order_id');
        t.string('source', 8).notNullable();
        t.bigInteger('code_id').references('id').inTable('coupon_codes');
        t.timestamp('valid_from', { useTz: true }).notNullable();
        t.timestamp('valid_until', { useTz: true }).notNullable();
        t.timestamp('claimed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('locked_at', { useTz: true });
        t.timestamp('used_at', { useTz: true });
        t.index(['user_id', 'template_id']);
        t.index(['user_id', 'id']);
      });
      await knex.raw(`ALTER TABLE coupons
        ADD CONSTRAINT coupons_status CHECK (status IN ('AVAILABLE', 'LOCKED', 'USED')),
        ADD CONSTRAINT coupons_order_when_held CHECK ((status = 'AVAILABLE') = (order_id IS NULL))`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('coupons');
      await knex.schema.dropTable('coupon_codes');
      await knex.schema.dropTable('coupon_templates');
    },
  },
  {
    name: '002_coupon_holds',
    async up(knex: Knex) {
      // One row per order that locked a coupon, or whose release came first (status RELEASED, the fence that refuses
      // a lock of that order arriving later). Holds are leases (docs/orders.md, "Holds"): lease_until, confirmed_at
      // (the placed order confirmed it), checked_at (order last said the order is live).
      await knex.schema.createTable('coupon_holds', (t) => {
        t.bigInteger('order_id').primary();
        t.bigInteger('coupon_id');
        t.bigInteger('user_id');
        t.string('status', 16).notNullable();
        t.timestamp('lease_until', { useTz: true });
        t.timestamp('confirmed_at', { useTz: true });
        t.timestamp('checked_at', { useTz: true });
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.raw("ALTER TABLE coupon_holds ADD CONSTRAINT coupon_holds_status CHECK (status IN ('LOCKED', 'RELEASED', 'USED'))");
      await knex.raw("CREATE INDEX coupon_holds_held ON coupon_holds (checked_at NULLS FIRST, order_id) WHERE status = 'LOCKED'");
      // Locks and uses from before: their holds, held until order says otherwise (no lease).
      await knex.raw(`INSERT INTO coupon_holds (order_id, coupon_id, user_id, status, confirmed_at, created_at)
        SELECT order_id, id, user_id, status, COALESCE(locked_at, now()), COALESCE(locked_at, now()) FROM coupons
        WHERE status IN ('LOCKED', 'USED') AND order_id IS NOT NULL
        ON CONFLICT (order_id) DO NOTHING`);
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('coupon_holds');
    },
  },
  // The jobs table for the periodic hold sweep (holds-sweep.ts).
  eventTablesMigration('090_events'),
  // The one job runner's dead letters and the retention indexes (platform/events, docs/events.md).
  eventTablesV2Migration('091_events_v2'),
  eventTablesV3Migration('101_events_v3'),
  {
    // Release markers are pruned after HOLD_MARKER_RETENTION_HOURS (marker-retention.ts): the pruning reads this.
    name: '102_release_marker_retention',
    async up(knex: Knex) {
      await knex.raw(
        "CREATE INDEX IF NOT EXISTS coupon_holds_markers ON coupon_holds (created_at) WHERE status = 'RELEASED' AND lease_until IS NULL AND confirmed_at IS NULL",
      );
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS coupon_holds_markers');
    },
  },
  {
    // Staff management of redeem codes and templates (code-admin.ts, template-admin.ts): a code can expire, be
    // disabled and be deleted softly (a redeemed code's row stays: its coupon refers to it); templates get a description.
    name: '180_code_and_template_admin',
    async up(knex: Knex) {
      await knex.schema.alterTable('coupon_codes', (t) => {
        t.timestamp('expires_at', { useTz: true });
        t.timestamp('disabled_at', { useTz: true });
        t.timestamp('deleted_at', { useTz: true });
        t.timestamp('updated_at', { useTz: true });
        t.bigInteger('updated_by');
      });
      await knex.schema.alterTable('coupon_templates', (t) => {
        t.string('description', 200);
      });
      // The staff list filters by code prefix.
      await knex.raw('CREATE INDEX IF NOT EXISTS coupon_codes_code_prefix ON coupon_codes (code text_pattern_ops)');
    },
    async down(knex: Knex) {
      await knex.raw('DROP INDEX IF EXISTS coupon_codes_code_prefix');
      await knex.schema.alterTable('coupon_templates', (t) => t.dropColumn('description'));
      await knex.schema.alterTable('coupon_codes', (t) => {
        for (const column of ['expires_at', 'disabled_at', 'deleted_at', 'updated_at', 'updated_by']) t.dropColumn(column);
      });
    },
  },
  {
    // Lucky red packets (red-packets.ts, docs/invites.md): a packet's shares are drawn when it is created; opening one
    // issues a coupon of that share's amount from the system template below (coupons.share_amount overrides the
    // template's amount and raises its min_spend to the share).
    name: '210_red_packets',
    async up(knex: Knex) {
      await knex.schema.alterTable('coupons', (t) => {
        t.integer('share_amount');
      });
      await knex.raw('ALTER TABLE coupons ADD CONSTRAINT coupons_share_amount_positive CHECK (share_amount IS NULL OR share_amount >= 1)');
      // Templates promote itself issues from, found by purpose: neither claimable nor active, so no claim or redeem code
      // can issue from them (issued coupons do not depend on `active`).
      await knex.schema.createTable('promote_system_templates', (t) => {
        t.string('purpose', 32).primary();
        t.bigInteger('template_id').notNullable().references('id').inTable('coupon_templates');
      });
      const { rows } = await knex.raw(`INSERT INTO coupon_templates
          (name, type, amount, min_spend, scope, per_user_limit, valid_days, claimable, active, description)
        VALUES ('Lucky red packet', 'CASH', 0, 0, 'ALL', 2147483647, 7, false, false, 'Shares of lucky red packets; each coupon carries its own amount')
        RETURNING id`);
      await knex('promote_system_templates').insert({ purpose: 'RED_PACKET_SHARE', template_id: rows[0].id });

      await knex.schema.createTable('red_packets', (t) => {
        t.bigIncrements('id');
        // The shopper who shared it, or the staff member who created it for an activity.
        t.bigInteger('created_by').notNullable();
        t.string('kind', 8).notNullable();
        t.integer('total_amount').notNullable();
        t.integer('share_count').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('expires_at', { useTz: true }).notNullable();
        t.index(['created_by', 'created_at']);
      });
      await knex.raw(`ALTER TABLE red_packets
        ADD CONSTRAINT red_packets_kind CHECK (kind IN ('SHOPPER', 'STAFF')),
        ADD CONSTRAINT red_packets_shares CHECK (share_count >= 1 AND total_amount >= share_count)`);
      await knex.schema.createTable('red_packet_shares', (t) => {
        t.bigInteger('packet_id').notNullable().references('id').inTable('red_packets');
        t.integer('seq').notNullable();
        t.integer('amount').notNullable();
        t.bigInteger('opened_by');
        t.timestamp('opened_at', { useTz: true });
        t.bigInteger('coupon_id').references('id').inTable('coupons');
        t.primary(['packet_id', 'seq']);
      });
      await knex.raw(`ALTER TABLE red_packet_shares
        ADD CONSTRAINT red_packet_shares_amount CHECK (amount >= 1),
        ADD CONSTRAINT red_packet_shares_opened CHECK ((opened_by IS NULL) = (opened_at IS NULL))`);
      // Each friend opens a packet once, whatever the race.
      await knex.raw('CREATE UNIQUE INDEX red_packet_shares_once ON red_packet_shares (packet_id, opened_by) WHERE opened_by IS NOT NULL');
      // A shopper's openings of a day (the daily limit and the day's list).
      await knex.raw('CREATE INDEX red_packet_shares_by_opener ON red_packet_shares (opened_by, opened_at) WHERE opened_by IS NOT NULL');
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('red_packet_shares');
      await knex.schema.dropTable('red_packets');
      const purpose = await knex('promote_system_templates').where({ purpose: 'RED_PACKET_SHARE' }).first('template_id');
      await knex.schema.dropTable('promote_system_templates');
      if (purpose) {
        await knex('coupons').where({ template_id: purpose.template_id }).delete();
        await knex('coupon_templates').where({ id: purpose.template_id }).delete();
      }
      await knex.raw('ALTER TABLE coupons DROP CONSTRAINT IF EXISTS coupons_share_amount_positive');
      await knex.schema.alterTable('coupons', (t) => t.dropColumn('share_amount'));
    },
  },
  {
    // Welfare activities (福利, activities.ts): staff publish them for a time window; shoppers list the running ones.
    name: '211_activities',
    async up(knex: Knex) {
      await knex.schema.createTable('promote_activities', (t) => {
        t.bigIncrements('id');
        t.string('title', 64).notNullable();
        t.string('description', 500);
        // A mini-program page path the activity opens.
        t.string('link', 200);
        t.timestamp('starts_at', { useTz: true }).notNullable();
        t.timestamp('ends_at', { useTz: true }).notNullable();
        t.bigInteger('created_by').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.timestamp('deleted_at', { useTz: true });
      });
      await knex.raw('ALTER TABLE promote_activities ADD CONSTRAINT promote_activities_window CHECK (ends_at > starts_at)');
      await knex.raw('CREATE INDEX promote_activities_live ON promote_activities (ends_at) WHERE deleted_at IS NULL');
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('promote_activities');
    },
  },
  {
    // Invitations (invitations.ts, data/invitations.ts; docs/invites.md): codes, who invited whom (from the user
    // subgraph's UserRegistered), a counter row per inviter for the ranking, and rewards given once.
    name: '212_invitations',
    async up(knex: Knex) {
      await knex.schema.createTable('invite_codes', (t) => {
        t.bigInteger('user_id').primary();
        t.string('code', 16).notNullable().unique();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
      });
      await knex.schema.createTable('invitations', (t) => {
        // One inviter per invitee, whatever the race or redelivery.
        t.bigInteger('invitee_id').primary();
        t.bigInteger('inviter_id').notNullable();
        // False when the inviter was past INVITES_COUNTED_PER_DAY that day: recorded, earns nothing.
        t.boolean('counted').notNullable();
        t.bigInteger('new_user_coupon_id').references('id').inTable('coupons');
        // Milliseconds, like the JavaScript dates myInvites' cursors carry, so a keyset never falls between two rows.
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.raw("date_trunc('milliseconds', now())"));
        t.index(['inviter_id', 'created_at', 'invitee_id']);
      });
      await knex.raw('ALTER TABLE invitations ADD CONSTRAINT invitations_not_self CHECK (inviter_id <> invitee_id)');
      await knex.schema.createTable('invite_counters', (t) => {
        t.bigInteger('inviter_id').primary();
        t.integer('accepted_count').notNullable().defaultTo(0);
        t.integer('counted_count').notNullable().defaultTo(0);
        t.timestamp('last_counted_at', { useTz: true });
      });
      // The ranking: top N by counted invitations, earliest to reach the count first, in one index scan.
      await knex.raw('CREATE INDEX invite_counters_ranking ON invite_counters (counted_count DESC, last_counted_at ASC, inviter_id ASC)');
      await knex.schema.createTable('invite_rewards', (t) => {
        t.bigInteger('user_id').notNullable();
        t.string('purpose', 32).notNullable();
        t.bigInteger('coupon_id').notNullable().references('id').inTable('coupons');
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        // Once per inviter and purpose, whatever the race.
        t.primary(['user_id', 'purpose']);
      });
      const { rows } = await knex.raw(`INSERT INTO coupon_templates
          (name, type, amount, min_spend, scope, per_user_limit, valid_days, claimable, active, description)
        VALUES ('Invitation reward', 'CASH', 0, 0, 'ALL', 2147483647, 30, false, false, 'Cash coupon for successful invitations; each coupon carries its own amount')
        RETURNING id`);
      await knex('promote_system_templates').insert({ purpose: 'INVITE_REWARD', template_id: rows[0].id });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('invite_rewards');
      await knex.schema.dropTable('invite_counters');
      await knex.schema.dropTable('invitations');
      await knex.schema.dropTable('invite_codes');
      const purpose = await knex('promote_system_templates').where({ purpose: 'INVITE_REWARD' }).first('template_id');
      if (purpose) {
        await knex('promote_system_templates').where({ purpose: 'INVITE_REWARD' }).delete();
        await knex('coupons').where({ template_id: purpose.template_id }).delete();
        await knex('coupon_templates').where({ id: purpose.template_id }).delete();
      }
    },
  },
  {
    name: '320_family_coupons',
    async up(knex: Knex) {
      // Promote's copy of who belongs to which family, kept from the user subgraph's MembershipChanged
      // (docs/family-coupons.md): family coupons are usable by exactly these users.
      await knex.schema.createTable('promote_families', (t) => {
        t.bigInteger('family_id').primary();
        t.bigInteger('owner_id').notNullable();
        t.string('level', 8).notNullable();
        t.timestamp('expires_at', { useTz: true });
        // occurredAt of the event applied last: an older event delivered late changes nothing.
        t.timestamp('event_at', { useTz: true }).notNullable();
      });
      await knex.schema.createTable('promote_family_members', (t) => {
        t.bigInteger('family_id').notNullable().references('family_id').inTable('promote_families');
        t.bigInteger('user_id').notNullable();
        t.primary(['family_id', 'user_id']);
        t.index(['user_id', 'family_id']);
      });
      // One membership period (family, level, end) entitles the family to free-shipping coupons per 30-day slot of
      // [starts_at, ends_at); a period's row exists once whatever the redelivery.
      await knex.schema.createTable('family_coupon_grants', (t) => {
        t.bigIncrements('id');
        t.bigInteger('family_id').notNullable().references('family_id').inTable('promote_families');
        t.string('level', 8).notNullable();
        t.timestamp('starts_at', { useTz: true }).notNullable();
        t.timestamp('ends_at', { useTz: true }).notNullable();
        t.integer('per_slot').notNullable();
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.unique(['family_id', 'level', 'ends_at']);
      });
      await knex.raw('ALTER TABLE family_coupon_grants ADD CONSTRAINT family_coupon_grants_window CHECK (ends_at > starts_at AND per_slot >= 0)');
      // A slot's coupons are issued once: the primary key decides between concurrent activations.
      await knex.schema.createTable('family_coupon_slots', (t) => {
        t.bigInteger('grant_id').notNullable().references('id').inTable('family_coupon_grants');
        t.integer('slot').notNullable();
        t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['grant_id', 'slot']);
      });
      await knex.schema.alterTable('coupons', (t) => {
        // A family's coupon: usable by the family's members; user_id is then the family's owner at issue time.
        t.bigInteger('family_id');
        t.index(['family_id', 'id']);
      });
      const { rows } = await knex.raw(`INSERT INTO coupon_templates
          (name, type, amount, min_spend, scope, per_user_limit, valid_days, claimable, active, description)
        VALUES ('Member free shipping', 'FREE_SHIPPING', 0, 0, 'ALL', 2147483647, 30, false, false, 'Free-shipping coupons of member families')
        RETURNING id`);
      await knex('promote_system_templates').insert({ purpose: 'MEMBER_FREE_SHIPPING', template_id: rows[0].id });
    },
    async down(knex: Knex) {
      const purpose = await knex('promote_system_templates').where({ purpose: 'MEMBER_FREE_SHIPPING' }).first('template_id');
      if (purpose) {
        await knex('promote_system_templates').where({ purpose: 'MEMBER_FREE_SHIPPING' }).delete();
        await knex('coupons').where({ template_id: purpose.template_id }).delete();
        await knex('coupon_templates').where({ id: purpose.template_id }).delete();
      }
      await knex.schema.alterTable('coupons', (t) => {
        t.dropIndex(['family_id', 'id']);
        t.dropColumn('family_id');
      });
      await knex.schema.dropTable('family_coupon_slots');
      await knex.schema.dropTable('family_coupon_grants');
      await knex.schema.dropTable('promote_family_members');
      await knex.schema.dropTable('promote_families');
    },
  },
  {
    // Coupons redeemed at a store by its staff or terminal (核销, docs/back-office.md): each coupon gets a counter
    // code the shopper shows (random, unguessable), a USED coupon may have no order when a store redeemed it, and
    // every store redemption is recorded once (the primary key backs the conditional UPDATE).
    name: '530_store_redemptions',
    async up(knex: Knex) {
      const randomCode = `upper(substr(md5(gen_random_uuid()::text), 1, 16))`;
      await knex.raw(`ALTER TABLE coupons ADD COLUMN counter_code varchar(16), ADD COLUMN used_at_store varchar(32)`);
      await knex.raw(`UPDATE coupons SET counter_code = ${randomCode}`);
      await knex.raw(`ALTER TABLE coupons ALTER COLUMN counter_code SET DEFAULT ${randomCode}, ALTER COLUMN counter_code SET NOT NULL`);
      await knex.raw(`CREATE UNIQUE INDEX coupons_counter_code ON coupons (counter_code)`);
      await knex.raw(`ALTER TABLE coupons DROP CONSTRAINT coupons_order_when_held,
        ADD CONSTRAINT coupons_order_when_held CHECK (
          ((status = 'AVAILABLE') = (order_id IS NULL) AND used_at_store IS NULL)
          OR (status = 'USED' AND order_id IS NULL AND used_at_store IS NOT NULL))`);
      await knex.schema.createTable('coupon_store_redemptions', (t) => {
        t.bigInteger('coupon_id').primary().references('id').inTable('coupons');
        t.string('store_code', 32).notNullable();
        /** The user subgraph's store id (kept as a value, never joined). */
        t.bigInteger('store_id').notNullable();
        /** The staff account (or the terminal's account) that redeemed it. */
        t.bigInteger('staff_user_id').notNullable();
        t.bigInteger('terminal_id');
        t.bigInteger('user_id').notNullable();
        t.bigInteger('template_id').notNullable();
        t.integer('amount').notNullable();
        t.timestamp('redeemed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.index(['store_code', 'redeemed_at']);
      });
    },
    async down(knex: Knex) {
      await knex.schema.dropTable('coupon_store_redemptions');
      await knex.raw(`ALTER TABLE coupons DROP CONSTRAINT coupons_order_when_held,
        ADD CONSTRAINT coupons_order_when_held CHECK ((status = 'AVAILABLE') = (order_id IS NULL))`);
      await knex.raw(`ALTER TABLE coupons DROP COLUMN counter_code, DROP COLUMN used_at_store`);
    },
  },
];
