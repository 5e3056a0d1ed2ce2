/**
 * Per-process CPU time and memory from /proc (Linux), for the benchmark's per-process report: no dependency needed.
 * CPU is utime + stime in clock ticks (USER_HZ, 100 on Linux), so it is exact to 10 ms per process — fine over
 * thousands of requests.
 */
import fs from 'node:fs';

const TICK_MS = 10;

/** CPU milliseconds (user + system) the process has used so far. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * CPU milliseconds used so far by every process whose command name is `command` (e.g. all PostgreSQL backends, or
 * redis-server): the machine's shared services, which run on the same cores as ours. A process that exits between
 * two readings takes its time with it, so pooled connections (which stay) are what this measures well.
 */
export function cpuMsOfCommand(command: string): number {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      // Gone between the listing and the read.
    }
  }
  return total;
}

/** Resident set size now, in MB. */
export function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : 0;
}

/** Samples the RSS of each process every `intervalMs` until stopped; returns the peak per pid. */
export function watchRss(pids: number[], intervalMs = 100): { stop(): Map<number, number> } {
  const peak = new Map<number, number>(pids.map((pid) => [pid, 0]));
  const sample = () => {
    for (const pid of pids) {
      try {
        peak.set(pid, Math.max(peak.get(pid)!, rssMb(pid)));
      } catch {
        // The process exited: keep what was seen.
      }
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

export function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
