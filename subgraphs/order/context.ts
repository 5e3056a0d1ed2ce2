import type { Knex } from 'knex';
import type { BaseContext } from '../../platform/context';
import type { ServiceClient } from '../../platform/service-client';
import type { JobTrigger } from '../../platform/events';
import type { OrderLoaders } from './loaders';

export interface OrderContext extends BaseContext {
  db: Knex;
  loaders: OrderLoaders;
  /** Signed calls to other subgraphs (cart for buyAgain; product and promote with checkout). */
  services: ServiceClient;
  /**
   * Runs the release / commit of an order's stock and coupon right away (durable jobs, holds.ts; the subgraph's one job
   * runner). Optional for contexts built outside a request (e.g. an event consumer calling markOrderPaid): the job is
   * scheduled with the status change either way, and the runner runs it at its next poll.
   */
  holds?: JobTrigger;
}
