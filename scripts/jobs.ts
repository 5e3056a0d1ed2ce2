/**
 * `npm run jobs -- dead [<subgraph>…]`: lists dead-lettered jobs (kind, key, attempts, when, last error) of every
 * subgraph with jobs, or of the ones named.
 * `npm run jobs -- retry <subgraph> <id>…`: requeues dead jobs (due now, attempts from zero) once what made them fail
 * is fixed.
 * `npm run jobs -- dead-events [<subgraph>…]`: lists dead-lettered events (consumer, stream, type, event id, deliveries,
 * when, last error) of the consumers of every subgraph, or of the ones named.
 * `npm run jobs -- retry-event <subgraph> <id>…`: hands dead events to their consumer again (the job `events.redeliver`,
 * run at the subgraph's next poll; an event already applied is skipped). Uses the configuration module like every entry point (`<NAME>_DATABASE_URL`, else `DATABASE_URL`, else the
 * embedded databases under DATA_DIR, which only work while that subgraph is stopped). See docs/events.md.
 */
import { loadConfig, type Config, type SubgraphName } from '../platform/config';
import { openDatabases } from '../app/databases';
import { listDeadEvents, listDeadJobs, requeueDeadEvent, requeueDeadJob } from '../platform/events/dead-letters';
import { assertPortFree, startupFailure } from '../platform/process';

/** The subgraphs that run jobs (they declare `events` and carry the event tables). */
const WITH_JOBS: readonly SubgraphName[] = ['user', 'product', 'order', 'promote', 'payment', 'review'];
const USAGE = `Usage: npm run jobs -- dead [<subgraph>…] | retry <subgraph> <job id>… | dead-events [<subgraph>…] | retry-event <subgraph> <dead event id>…   (subgraphs: ${WITH_JOBS.join(', ')})`;

function subgraphOf(arg: string): SubgraphName {
  if (!(WITH_JOBS as readonly string[]).includes(arg)) throw new Error(`"${arg}" runs no jobs\n${USAGE}`);
  return arg as SubgraphName;
}

async function main() {
  let config: Config;
  let command: string;
  let names: SubgraphName[];
  let ids: string[] = [];
  try {
    const [cmd, ...rest] = process.argv.slice(2);
    command = cmd;
    if (command === 'dead' || command === 'dead-events') names = rest.length ? rest.map(subgraphOf) : [...WITH_JOBS];
    else if ((command === 'retry' || command === 'retry-event') && rest.length >= 2) {
      names = [subgraphOf(rest[0])];
      ids = rest.slice(1);
      const bad = ids.filter((id) => !/^\d{1,18}$/.test(id));
      if (bad.length) throw new Error(`not an id: ${bad.join(', ')}\n${USAGE}`);
    } else throw new Error(USAGE);
    config = loadConfig();
    for (const name of names) {
      // The embedded database files belong to one process at a time.
      if (!config.databaseUrl && !config.subgraphDatabaseUrls[name]) {
        await assertPortFree(config.host, config.ports[name], `stop it before reading the embedded ${name} database`);
      }
    }
  } catch (error) {
    startupFailure('jobs tool', error);
  }
  const databases = await openDatabases(config, names);
  let failed = false;
  try {
    for (const name of names) {
      const db = databases.dbs[name];
      if (command === 'dead') {
        const dead = await listDeadJobs(db, { limit: 1000 });
        console.log(`${name}: ${dead.length} dead job(s)`);
        for (const job of dead) {
          console.log(`  ${job.id}\t${job.kind}/${job.key}\t${job.attempts} attempts\tdead since ${job.deadAt.toISOString()}\t${job.lastError ?? ''}`);
        }
      } else if (command === 'dead-events') {
        const dead = await listDeadEvents(db, { limit: 1000 });
        console.log(`${name}: ${dead.length} dead event(s)`);
        for (const event of dead) {
          const requeued = event.requeuedAt ? `\trequeued ${event.requeuedAt.toISOString()}` : '';
          const error = (event.lastError ?? '').split('\n')[0];
          console.log(
            `  ${event.id}\t${event.consumer}\t${event.stream} ${event.type} ${event.eventId}\t${event.attempts} deliveries\tdead since ${event.deadAt.toISOString()}${requeued}\t${error}`,
          );
        }
      } else if (command === 'retry-event') {
        for (const id of ids) {
          const requeued = await requeueDeadEvent(db, id);
          console.log(
            requeued
              ? `${name} dead event ${id} requeued: its consumer gets it at the next job poll`
              : `${name} dead event ${id} not found (redelivered already, or pruned)`,
          );
          failed ||= !requeued;
        }
      } else {
        for (const id of ids) {
          const requeued = await requeueDeadJob(db, id);
          console.log(requeued ? `${name} job ${id} requeued: it runs at the next poll` : `${name} job ${id} is not dead (requeued already, or pruned)`);
          failed ||= !requeued;
        }
      }
    }
  } finally {
    await databases.close();
  }
  if (failed) process.exitCode = 1;
}

void main();
