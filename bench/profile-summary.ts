/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by package/file, top N, as shares of
 * the busy (non-idle) time.
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [N] [last seconds]
 * With `last seconds`, only the profile's final seconds count (the measured run, not the process's start-up).
 */
import fs from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const top = Number(process.argv[3] ?? 25);
const lastMicros = process.argv[4] ? Number(process.argv[4]) * 1e6 : Infinity;
const times: number[] = [];
profile.timeDeltas.reduce((at, delta, i) => (times[i] = at + delta), 0);
const end = times[times.length - 1] ?? 0;
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (times[i] >= end - lastMicros) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const idleIds = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
// Shares of the busy time: idle samples left out.
const total = [...self].filter(([id]) => !idleIds.has(id)).reduce((a, [, t]) => a + t, 0);
for (const id of idleIds) self.delete(id);
const byFunction = new Map<string, number>();
const byModule = new Map<string, number>();
for (const node of profile.nodes) {
  const time = self.get(node.id) ?? 0;
  const url = node.callFrame.url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm:');
  const module = url.startsWith('nm:') ? url.split('/').slice(0, url.split('/')[0].startsWith('nm:@') ? 2 : 1).join('/') : url || `(${node.callFrame.functionName || 'native'})`;
  const fn = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + time);
  byModule.set(module, (byModule.get(module) ?? 0) + time);
}
const print = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (total ${(total / 1000).toFixed(0)} ms)`);
  for (const [key, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
};
print('self time by module', byModule);
print('self time by function', byFunction);
