/**
 * Development demo data (never with NODE_ENV=production), idempotent:
 * - the staff roles, and the `admin` account (role admin: every scope) with password ADMIN_PASSWORD;
 * - a demo shopper, phone 13800138000 / email shopper@example.com, password `shopper123`, with one default address;
 * - the back office's demo directory, store manager and the shopper's shop card (back-office-seed.ts).
 */
import type { Knex } from 'knex';
import type { Config } from '../../platform/config';
import { hashPassword } from '../../platform/password';
import { insertAddress } from './data/addresses';
import { findCredentials, insertUser } from './data/users';
import { createStaff } from './staff';
import { seedBackOffice } from './back-office-seed';

export const DEMO_SHOPPER = { phone: '13800138000', email: 'shopper@example.com', password: 'shopper123', nickname: '演示买家' };

export async function seedDemo(db: Knex, config: Config): Promise<void> {
  if (config.isProduction) throw new Error('Demo data is never seeded with NODE_ENV=production');
  // Sets the password every time: the admin password is whatever ADMIN_PASSWORD says now.
  await createStaff(db, { username: 'admin', role: 'admin', password: config.adminPassword });

  const known = await findCredentials(db, 'phone', DEMO_SHOPPER.phone);
  if (known) return seedBackOffice(db, known.id);
  const passwordHash = await hashPassword(DEMO_SHOPPER.password);
  const shopperId = await db.transaction(async (trx) => {
    const shopper = await insertUser(trx, {
      phone: DEMO_SHOPPER.phone,
      email: DEMO_SHOPPER.email,
      password_hash: passwordHash,
      nickname: DEMO_SHOPPER.nickname,
    });
    await insertAddress(
      trx,
      shopper.id,
      { contact_name: '张三', phone: DEMO_SHOPPER.phone, province: '广东省', city: '深圳市', district: '南山区', detail: '科技园科苑路 15 号 1 栋 101' },
      true,
    );
    return shopper.id;
  });
  await seedBackOffice(db, shopperId);
}
