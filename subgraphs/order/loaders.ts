import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds } from '../../platform/loaders';
import { findOrdersByIds, type OrderRow } from './data/orders';

export function createOrderLoaders(db: Knex) {
  return {
    orderById: new DataLoader<string, OrderRow | null>(byIds((ids) => findOrdersByIds(db, ids))),
  };
}
export type OrderLoaders = ReturnType<typeof createOrderLoaders>;
