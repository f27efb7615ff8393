/**
 * Compares two V8 heap snapshots of the same process (before and after N connections) and names what each
 * connection keeps: objects by constructor, closures by function, strings, arrays, per connection.
 */
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export interface HeapEntry {
  kind: string;
  countPerConnection: number;
  bytesPerConnection: number;
}

export function heapDiffPerConnection(beforePath: string, afterPath: string, connections: number, top = 20): HeapEntry[] {
  const before = tally(beforePath);
  const after = tally(afterPath);
  return [...after.entries()]
    .map(([kind, { count, bytes }]) => {
      const base = before.get(kind) ?? { count: 0, bytes: 0 };
      return { kind, countPerConnection: round((count - base.count) / connections), bytesPerConnection: Math.round((bytes - base.bytes) / connections) };
    })
    .sort((a, b) => b.bytesPerConnection - a.bytesPerConnection)
    .slice(0, top);
}

/** Self size and count per kind: "Socket" for objects, "closure onclose" for functions, "string", "array"... */
function tally(path: string): Map<string, { count: number; bytes: number }> {
  const heap = JSON.parse(readFileSync(path, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const totals = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + typeAt]!]!;
    const name = heap.strings[heap.nodes[i + nameAt]!]!;
    const kind = type === 'object' || type === 'native' ? name : type === 'closure' ? `closure ${name || '(anonymous)'}` : `(${type})`;
    const entry = totals.get(kind) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += heap.nodes[i + sizeAt]!;
    totals.set(kind, entry);
  }
  return totals;
}

const round = (value: number) => Math.round(value * 100) / 100;
