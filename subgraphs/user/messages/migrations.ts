/**
 * The messages module's migrations (numbers 150–159), appended to the user subgraph's list. The event tables come
 * first: messages are the first thing in user that consumes events and runs durable jobs. They are created with
 * IF NOT EXISTS, so another module of user appending them too is harmless.
 */
import type { Knex } from 'knex';
import type { Migration } from '../../../platform/db';
import { eventTablesMigration, eventTablesV2Migration, eventTablesV3Migration } from '../../../platform/events';

export const messageMigrations: Migration[] = [
  eventTablesMigration('150_events'),
  eventTablesV2Migration('151_events_v2'),
  eventTablesV3Migration('152_events_v3'),
  {
    name: '153_message_consents_and_messages',
    async up(knex: Knex) {
      // One-time subscribe messages: each acceptance in wx.requestSubscribeMessage allows ONE message of that template.
      await knex.schema.createTable('message_consents', (t) => {
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        /** ORDER_PAID, ORDER_SHIPPED, ORDER_DELIVERED, AFTER_SALES_DECIDED. */
        t.string('kind', 32).notNullable();
        /** Acceptances not yet used by a message. */
        t.integer('remaining').notNullable().defaultTo(0);
        /** A long-term subscription (长期订阅) as the client reported it: sending uses no acceptance. */
        t.boolean('always').notNullable().defaultTo(false);
        t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        t.primary(['user_id', 'kind']);
      });
      await knex.raw('ALTER TABLE message_consents ADD CONSTRAINT message_consents_remaining CHECK (remaining >= 0)');

      // Every message we decided to send, with its outcome: the record that makes a retried job never send twice.
      await knex.schema.createTable('subscribe_messages', (t) => {
        t.bigIncrements('id');
        t.bigInteger('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('kind', 32).notNullable();
        /** The event that asked for it: one event yields at most one message of a kind. */
        t.uuid('event_id').notNullable();
        t.bigInteger('order_id').notNullable();
        /** What the event said (times, carrier, decision, amount); the order's own facts are read when sending. */
        t.jsonb('facts').notNullable();
        /** COUNT: one acceptance was used; ALWAYS: a long-term subscription. */
        t.string('consent', 8).notNullable();
        t.string('status', 16).notNullable().defaultTo('PENDING');
        t.string('template_id', 128);
        /** WeChat's errcode of the last answer (0 when sent). */
        t.integer('errcode');
        t.string('error', 500);
        t.integer('attempts').notNullable().defaultTo(0);
        t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
        /** Set when a run started calling WeChat; cleared only by an answer that says it was not sent. */
        t.timestamp('sending_at', { useTz: true });
        t.timestamp('finished_at', { useTz: true });
        t.unique(['event_id', 'kind']);
        t.index(['user_id', 'id']);
      });
      await knex.raw(
        `ALTER TABLE subscribe_messages ADD CONSTRAINT subscribe_messages_status
         CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'DROPPED', 'UNCERTAIN'))`,
      );
    },
    async down(knex: Knex) {
      await knex.schema.dropTableIfExists('subscribe_messages');
      await knex.schema.dropTableIfExists('message_consents');
    },
  },
];
