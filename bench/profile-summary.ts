/**
 * Where a process's CPU time went, from V8 CPU profiles (`--cpu-prof`, as `online-pipeline.ts --profile` writes them):
 *   node -r @swc-node/register bench/profile-summary.ts [reports/bench/profile]
 * Each profile's samples are charged to the function on top of the stack (self time) and summed by what that function
 * belongs to: an npm package (its folder under node_modules), the project's own code (dist/apps, dist/libs), Node's
 * internals, garbage collection, or idle. Prints one Markdown row per profile: busy share of the run, then each
 * group's share of the busy time (the largest eight, the rest together).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Native frames that copy bytes into a socket (the stream write path of every client and server). */
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString']);

/** What a frame's time is charged to. */
export function groupOf(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 (program)';
  if (url === '' && SOCKET_WRITES.has(functionName)) return 'socket writes (Kafka, Redis, HTTP)';
  if (url.startsWith('wasm://')) return 'TensorFlow.js wasm kernels';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (/\/dist\/(apps|libs|tools)\//.test(url)) return "the project's own code";
  if (url.startsWith('node:') || url === '') return 'Node internals and natives';
  return url;
}

/** Microseconds per group over one profile. */
export function selfTimeByGroup(profile: CpuProfile): Map<string, number> {
  const group = new Map(profile.nodes.map((node) => [node.id, groupOf(node.callFrame)]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = group.get(id) ?? 'unknown';
    totals.set(name, (totals.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

function main(): void {
  const folder = process.argv[2] ?? join('reports', 'bench', 'profile');
  const files = readdirSync(folder).filter((name) => name.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile in ${folder}: run online-pipeline.ts --profile first`);
  console.log('| profile | CPU s busy | busy | largest shares of the busy time |');
  console.log('| --- | ---: | ---: | --- |');
  for (const file of files.sort()) {
    const totals = selfTimeByGroup(JSON.parse(readFileSync(join(folder, file), 'utf8')) as CpuProfile);
    const all = [...totals.values()].reduce((sum, value) => sum + value, 0);
    const idle = totals.get('idle') ?? 0;
    const busy = all - idle;
    totals.delete('idle');
    const ranked = [...totals].sort((a, b) => b[1] - a[1]);
    const shown = ranked.slice(0, 8).map(([name, value]) => `${name} ${Math.round((value / busy) * 100)}%`);
    const rest = ranked.slice(8).reduce((sum, [, value]) => sum + value, 0);
    if (rest > 0) shown.push(`other ${Math.round((rest / busy) * 100)}%`);
    console.log(`| ${file} | ${(busy / 1e6).toFixed(1)} | ${Math.round((busy / all) * 100)}% | ${shown.join(', ')} |`);
  }
}

if (require.main === module) main();
