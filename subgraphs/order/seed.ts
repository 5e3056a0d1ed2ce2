/** Development demo data of the order subgraph (never with NODE_ENV=production): a default return address, so exchanges can be approved. Idempotent. */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { insertReturnAddress, listReturnAddresses } from './data/return-addresses';

export async function seedDemo(db: Knex, config: Config): Promise<void> {
  if (config.isProduction) return;
  if ((await listReturnAddresses(db)).length) return;
  await insertReturnAddress(db, {
    label: '上海退货仓',
    contact_name: '售后服务部',
    phone: '021-60001234',
    province: '上海市',
    city: '上海市',
    district: '嘉定区',
    detail: '安亭镇仓储路 88 号 3 号库',
    is_default: true,
  });
}
