import DataLoader from 'dataloader';
import type { Knex } from 'knex';
import { byIds } from '../../platform/loaders';
import { findCouponsByIds, type CouponRow } from './data/coupons';
import { findTemplatesByIds, type CouponTemplateRow } from './data/templates';

/** Per request: every coupon / template asked for during one request is fetched in one statement. */
export function createPromoteLoaders(db: Knex) {
  return {
    couponById: new DataLoader<string, CouponRow | null>(byIds((ids) => findCouponsByIds(db, ids))),
    templateById: new DataLoader<string, CouponTemplateRow | null>(byIds((ids) => findTemplatesByIds(db, ids))),
  };
}

export type PromoteLoaders = ReturnType<typeof createPromoteLoaders>;
