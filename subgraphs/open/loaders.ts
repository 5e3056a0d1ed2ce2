/** Per-request loaders: a page of 20 apps with their granted methods costs one statement for all the grants. */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { groupedBy } from '../../platform/loaders';
import { grantedMethodsOf } from './data/grants';

export function createOpenLoaders(db: Knex) {
  const grantsByApp = new DataLoader<string, { app_id: string; method: string }[]>(groupedBy((row) => row.app_id, (ids) => grantedMethodsOf(db, ids)));
  return { grantsByApp };
}
export type OpenLoaders = ReturnType<typeof createOpenLoaders>;
