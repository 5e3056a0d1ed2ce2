/** Per request: the consents of many users in one statement. */
import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { groupedBy, isBigintId } from '../../../platform/loaders';
import { findConsentsByUserIds, type ConsentRow } from './data/consents';

export function createMessageLoaders(db: Knex) {
  return {
    consentsByUserId: new DataLoader<string, ConsentRow[]>(
      groupedBy(
        (row: ConsentRow) => String(row.user_id),
        async (ids) => {
          const valid = ids.filter(isBigintId);
          return valid.length ? findConsentsByUserIds(db, valid) : [];
        },
      ),
    ),
  };
}
