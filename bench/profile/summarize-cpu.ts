/** Reads a .cpuprofile and names where the time went: by function (self time) and by package or folder. */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { repoRoot } from '../processes.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuSummary {
  totalMs: number;
  /** Share of samples in which the process was idle. */
  idle: number;
  byFunction: { name: string; where: string; selfMs: number; share: number }[];
  byArea: { area: string; selfMs: number; share: number }[];
}

export function summarizeCpuProfile(path: string, top = 15): CpuSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  // The first sample's delta runs from the profiler's start request: not the server's time.
  const deltas = profile.timeDeltas.slice(1);
  const selfUs = new Map<number, number>();
  profile.samples.slice(1).forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0)));
  const totalUs = deltas.reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)') idleUs += us;
    const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const area = areaOf(frame);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number) => Math.round((us / busyUs) * 1000) / 10;
  return {
    totalMs: Math.round(totalUs / 1000),
    idle: Math.round((idleUs / totalUs) * 100) / 100,
    byFunction: [...byFunction.values()]
      .filter((f) => f.name !== '(idle)')
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, selfMs: Math.round(f.us / 1000), share: share(f.us) })),
    byArea: [...byArea.entries()]
      .filter(([area]) => area !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([area, us]) => ({ area, selfMs: Math.round(us / 1000), share: share(us) })),
  };
}

function shortUrl(url: string): string {
  const path = url.startsWith('file://') ? relative(repoRoot, new URL(url).pathname) : url;
  return path.replace(/^node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '');
}

/** An npm package, a folder of ours, a Node.js internal, or a V8 pseudo-frame like (garbage collector). */
function areaOf(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) return 'node:internals';
  const path = shortUrl(frame.url);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return pkg;
  return path.split('/').slice(0, 2).join('/');
}
