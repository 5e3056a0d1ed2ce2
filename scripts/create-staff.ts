/**
 * `STAFF_PASSWORD=… npx tsx scripts/create-staff.ts <username> <role>`: creates a staff account holding a role
 * (admin, catalog, marketing, fulfillment, finance, moderation — see subgraphs/user/staff.ts), or, when the username exists, sets
 * its password and adds the role. Production has no demo `admin`: this is how the first staff account gets made.
 * The password comes from the environment so it stays out of shell history and `ps`; it is never printed.
 * Uses the user subgraph's database (USER_DATABASE_URL, else DATABASE_URL, else the embedded one under DATA_DIR).
 */
import { loadConfig, type Config } from '../platform/config';
import { openDatabases } from '../app/databases';
import { assertPortFree, startupFailure } from '../platform/process';
import { createStaff, STAFF_ROLES } from '../subgraphs/user/staff';

const USAGE = `Usage: STAFF_PASSWORD=<password> npx tsx scripts/create-staff.ts <username> <role>   (role: ${Object.keys(STAFF_ROLES).join(', ')})`;

async function main() {
  let config: Config;
  let username: string;
  let role: string;
  let password: string;
  try {
    const args = process.argv.slice(2);
    if (args.length !== 2) throw new Error(`expected a username and a role\n${USAGE}`);
    [username, role] = args;
    if (!Object.hasOwn(STAFF_ROLES, role)) throw new Error(`unknown role "${role}"\n${USAGE}`);
    password = process.env.STAFF_PASSWORD ?? '';
    if (!password) throw new Error(`set STAFF_PASSWORD\n${USAGE}`);
    config = loadConfig();
    // The embedded database files belong to one process at a time: not while the user subgraph runs on them.
    if (!config.databaseUrl && !config.subgraphDatabaseUrls.user) {
      await assertPortFree(config.host, config.ports.user, 'stop it before changing the embedded user database');
    }
  } catch (error) {
    startupFailure('staff account tool', error);
  }
  const databases = await openDatabases(config, ['user']);
  try {
    const { user, scopes } = await createStaff(databases.dbs.user, { username, role, password });
    console.log(`Staff account "${user.username}" (user ${user.id}) holds role ${role}; scopes: ${scopes.join(', ') || 'none'}.`);
  } finally {
    await databases.close();
  }
}

main().catch((error: unknown) => {
  console.error('Could not create the staff account:', error instanceof Error ? error.message : error);
  process.exit(1);
});
