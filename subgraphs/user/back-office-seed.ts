/**
 * Development demo data of the back office (never in production; called by seed.ts): two sales branches, three
 * franchisees, six stores, a store manager `store_sz01` (password `store1234`, role store, stores SZ001 and SZ002) and
 * the demo shopper's shop member card. Idempotent.
 */
import type { Knex } from 'knex';
import { hashPassword } from '../../platform/password';
import { findIdByCode, insertMany } from './data/directory';
import { putMemberCard } from './data/member-cards';
import { findRoleId, grantRole } from './data/roles';
import { ensureStaffAccount, replaceAccountStores } from './data/staff-accounts';
import { upsertUsernameAccount } from './data/users';

export const DEMO_STORE_MANAGER = { username: 'store_sz01', password: 'store1234', stores: ['SZ001', 'SZ002'] };
export const DEMO_SHOP_CARD = '88000000001';

export async function seedBackOffice(db: Knex, demoShopperId: string | null): Promise<void> {
  await insertMany(db, 'sales_branches', [
    { code: 'BR-SZ', name: '深圳销售分公司' },
    { code: 'BR-GZ', name: '广州销售分公司' },
  ]);
  await insertMany(db, 'franchisees', [
    { code: 'FR-001', name: '南山加盟商', contact_name: '李四', contact_phone: '13900000001' },
    { code: 'FR-002', name: '福田加盟商', contact_name: '王五', contact_phone: '13900000002' },
    { code: 'FR-003', name: '天河加盟商', contact_name: '赵六', contact_phone: '13900000003' },
  ]);
  const branch = { SZ: await findIdByCode(db, 'sales_branches', 'BR-SZ'), GZ: await findIdByCode(db, 'sales_branches', 'BR-GZ') };
  const franchisee = async (code: string) => findIdByCode(db, 'franchisees', code);
  await insertMany(db, 'stores', [
    { code: 'SZ001', name: '南山科技园店', franchisee_id: await franchisee('FR-001'), branch_id: branch.SZ, address: '深圳市南山区科苑路 15 号' },
    { code: 'SZ002', name: '南山海岸城店', franchisee_id: await franchisee('FR-001'), branch_id: branch.SZ, address: '深圳市南山区文心五路 33 号' },
    { code: 'SZ003', name: '福田中心店', franchisee_id: await franchisee('FR-002'), branch_id: branch.SZ, address: '深圳市福田区福华路 1 号' },
    { code: 'GZ001', name: '天河体育中心店', franchisee_id: await franchisee('FR-003'), branch_id: branch.GZ, address: '广州市天河区体育西路 2 号' },
    { code: 'GZ002', name: '天河珠江新城店', franchisee_id: await franchisee('FR-003'), branch_id: branch.GZ, business_status: 'PAUSED' },
    { code: 'GZ003', name: '天河旧店', franchisee_id: await franchisee('FR-003'), branch_id: branch.GZ, status: 'DISABLED', business_status: 'CLOSED' },
  ]);
  const manager = await upsertUsernameAccount(db, DEMO_STORE_MANAGER.username, await hashPassword(DEMO_STORE_MANAGER.password), '店长张三');
  await ensureStaffAccount(db, manager.id, '店长张三', false);
  const storeRole = await findRoleId(db, 'store');
  if (storeRole) await grantRole(db, manager.id, storeRole);
  const storeIds = await Promise.all(DEMO_STORE_MANAGER.stores.map((code) => findIdByCode(db, 'stores', code)));
  await replaceAccountStores(db, manager.id, storeIds.filter((id): id is string => Boolean(id)));
  if (demoShopperId) await putMemberCard(db, demoShopperId, 'SHOP', DEMO_SHOP_CARD);
}
