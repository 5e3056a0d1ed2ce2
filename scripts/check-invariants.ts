/**
 * `npm run check:invariants [-- --json] [--grace-seconds N] [--only stock,holds,…]`: audits a deployment's books
 * (audit/invariants) read-only and prints one line per check and per violation, or the whole report as JSON.
 * Exit code 0 when every invariant holds, 1 when any is violated, 2 when the audit could not run.
 * Databases as the services find them: DATABASE_URL / <NAME>_DATABASE_URL (see audit/invariants/open.ts).
 */
import { loadConfig } from '../platform/config';
import { assertPortFree } from '../platform/process';
import { CHECK_NAMES, checkInvariants, DEFAULT_GRACE_SECONDS, formatReport } from '../audit/invariants';
import { AUDITED, openAuditDatabases } from '../audit/invariants/open';

const USAGE = `Usage: npm run check:invariants [-- --json] [--grace-seconds N] [--only ${CHECK_NAMES.join(',')}]`;

function parseArgs(args: string[]) {
  const options = { json: false, graceSeconds: DEFAULT_GRACE_SECONDS, only: [] as string[] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[++i];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--json') options.json = true;
    else if (arg.startsWith('--grace-seconds')) {
      options.graceSeconds = Number(value());
      if (!Number.isInteger(options.graceSeconds) || options.graceSeconds < 0) throw new Error(`--grace-seconds: a whole number ≥ 0\n${USAGE}`);
    } else if (arg.startsWith('--only')) options.only = value().split(',').map((name) => name.trim()).filter(Boolean);
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const unknown = options.only.filter((name) => !CHECK_NAMES.includes(name));
  if (unknown.length) throw new Error(`unknown check ${unknown.join(', ')}\n${USAGE}`);
  return options;
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  for (const name of AUDITED) {
    if (!config.databaseUrl && !config.subgraphDatabaseUrls[name]) {
      await assertPortFree(config.host, config.ports[name], `stop it before auditing the embedded ${name} database, or set DATABASE_URL`);
    }
  }
  const databases = await openAuditDatabases(config);
  try {
    const report = await checkInvariants(databases.dbs, { graceSeconds: options.graceSeconds, only: options.only });
    console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? 0 : 1;
  } finally {
    await databases.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check:invariants: ${(error as Error).message}`);
    process.exit(2);
  },
);
