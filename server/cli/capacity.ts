/**
 * `cli capacity --daily-visitors N --minutes T [--json]`: concurrent visitors, bandwidth, agents by Erlang C from
 * what the database measured over the last four weeks, and nodes from the per-process limits the bench measured.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { AppError } from '../app/errors.ts';
import { siteByKey } from './site-by-key.ts';
import type { Store } from '../app/ports.ts';
import { isValidTimeZone } from '../app/reports.ts';
import { MESSAGE_ENVELOPE_BYTES, staffingView } from '../app/staffing.ts';
import type { StaffingView } from '../contract/admin.ts';
import { bandwidth, concurrentVisitors, nodesNeeded, type NodesNeeded, type ProcessLimits } from '../domain/capacity.ts';
import { wallClock } from '../domain/clock.ts';
import { agentsNeeded } from '../domain/erlang-c.ts';

export const CAPACITY_USAGE = `  cli capacity --daily-visitors N --minutes T [--message-bytes S] [--messages-per-minute F] [--service-level 80] [--seconds 30] [--tz Area/City] [--site KEY] [--margin 30] [--bench FILE] [--json]`;

const DEFAULT_BENCH = fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));

/** A required number: "required" when absent, rather than what coercing nothing to a number would say. */
const required = () => z.string({ error: 'required' }).pipe(z.coerce.number<string>({ error: 'must be a number' }).min(0));

const flags = z.strictObject({
  'daily-visitors': required(),
  minutes: required(),
  'message-bytes': z.coerce.number().positive().optional(),
  'messages-per-minute': z.coerce.number().min(0).optional(),
  'service-level': z.coerce.number().gt(0).lt(100).default(80),
  seconds: z.coerce.number().int().min(1).max(3600).default(30),
  tz: z.string().refine(isValidTimeZone, 'must be an IANA time zone').default('UTC'),
  site: z.string().optional(),
  margin: z.coerce.number().min(0).lt(100).default(30),
  bench: z.string().default(DEFAULT_BENCH),
  json: z.boolean().default(false),
});

type Source = 'given' | 'measured';

export interface CapacityPlan {
  dailyVisitors: number;
  minutes: number;
  concurrentVisitors: number;
  messageBytes: { value: number | null; source: Source; envelopeBytes: number };
  messagesPerSecond: { value: number; source: Source };
  bandwidthBytesPerSecond: number | null;
  agents: {
    target: StaffingView['target'];
    /** At the four weeks' mean arrival rate and handle time. */
    average: number | null;
    /** At the busiest hour of the week. */
    peakHour: number | null;
  };
  measured: StaffingView['totals'] & { from: string; to: string; timezone: string };
  nodes: (NodesNeeded & { limits: ProcessLimits; marginPercent: number; bench: string; benchDate: string | null }) | { missing: string };
}

/** Per-process limits from a bench result: idle connections held in one process, and acked messages per second. */
async function benchLimits(path: string): Promise<{ limits: ProcessLimits; date: string | null } | string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return `${path} not found: run npm run bench to measure what one process holds`;
  }
  const result = z
    .object({
      machine: z.object({ date: z.string() }).partial().optional(),
      connections: z.object({ held: z.number().positive() }),
      throughput: z.object({ parley: z.object({ ackedPerSecond: z.number().positive() }) }),
    })
    .safeParse(JSON.parse(text));
  if (!result.success) return `${path} has no connections.held or throughput.parley.ackedPerSecond: run the full npm run bench`;
  const { connections, throughput, machine } = result.data;
  return { limits: { connections: connections.held, messagesPerSecond: throughput.parley.ackedPerSecond }, date: machine?.date ?? null };
}

export async function capacityPlan(args: string[], store: Pick<Store, 'reports' | 'sites'>): Promise<{ plan: CapacityPlan; json: boolean }> {
  const { values } = parseArgs({
    args,
    options: Object.fromEntries(Object.keys(flags.shape).map((name) => [name, { type: name === 'json' ? 'boolean' : 'string' }] as const)),
    strict: true,
  });
  const parsed = flags.safeParse(values);
  if (!parsed.success) throw new AppError('BAD_REQUEST', `${z.prettifyError(parsed.error)}\nUsage:\n${CAPACITY_USAGE}`);
  const f = parsed.data;
  const site = f.site === undefined ? undefined : await siteByKey(store.sites, f.site);
  const view = await staffingView(store.reports, wallClock, { timezone: f.tz, serviceLevel: f['service-level'], seconds: f.seconds, ...(site ? { siteId: site.id } : {}) });
  const { totals } = view;
  const messageBytes = f['message-bytes'] ?? totals.messageBytes;
  const messagesPerSecond = f['messages-per-minute'] !== undefined ? f['messages-per-minute'] / 60 : ((totals.arrivalsPerHour / 3600) * (totals.messagesPerConversation ?? 0));
  const concurrent = concurrentVisitors(f['daily-visitors'], f.minutes);
  const bench = await benchLimits(f.bench);
  const target = { share: f['service-level'] / 100, seconds: f.seconds };
  const plan: CapacityPlan = {
    dailyVisitors: f['daily-visitors'],
    minutes: f.minutes,
    concurrentVisitors: Math.round(concurrent * 100) / 100,
    messageBytes: { value: messageBytes, source: f['message-bytes'] !== undefined ? 'given' : 'measured', envelopeBytes: MESSAGE_ENVELOPE_BYTES },
    messagesPerSecond: { value: Math.round(messagesPerSecond * 10_000) / 10_000, source: f['messages-per-minute'] !== undefined ? 'given' : 'measured' },
    bandwidthBytesPerSecond: messageBytes === null ? null : Math.round(bandwidth(messageBytes, messagesPerSecond) * 100) / 100,
    agents: {
      target: view.target,
      average: totals.arrivalsPerHour === 0 ? 0 : totals.handleMs === null ? null : agentsNeeded(totals.arrivalsPerHour / 3600, totals.handleMs / 1000, target),
      peakHour: totals.peakAgentsNeeded,
    },
    measured: { ...totals, from: view.from, to: view.to, timezone: view.timezone },
    nodes:
      typeof bench === 'string'
        ? { missing: bench }
        : {
            ...nodesNeeded({ connections: concurrent, messagesPerSecond }, bench.limits, f.margin / 100),
            limits: bench.limits,
            marginPercent: f.margin,
            bench: f.bench,
            benchDate: bench.date,
          },
  };
  return { plan, json: f.json };
}

/** Two decimals, or three significant digits below one, so that small rates do not print as 0. */
const number = (n: number) => n.toLocaleString('en-US', n !== 0 && Math.abs(n) < 1 ? { maximumSignificantDigits: 3 } : { maximumFractionDigits: 2 });

export function capacityText(p: CapacityPlan): string {
  const m = p.measured;
  const handle = m.handleMs === null ? 'no resolved conversation yet' : `handle time ${number(m.handleMs / 1000)} s measured`;
  const nodes =
    'missing' in p.nodes
      ? `unknown: ${p.nodes.missing}`
      : `${p.nodes.nodes} (${p.nodes.forConnections} for connections, ${p.nodes.forMessages} for messages; safety margin ${p.nodes.marginPercent} %: each process planned at ${100 - p.nodes.marginPercent} % of the ${number(p.nodes.limits.connections)} connections and ${number(p.nodes.limits.messagesPerSecond)} messages/s measured in ${p.nodes.bench}${p.nodes.benchDate ? ` on ${p.nodes.benchDate.slice(0, 10)}` : ''})`;
  return [
    `Capacity for ${number(p.dailyVisitors)} visitors a day staying ${number(p.minutes)} minutes`,
    `Measured ${m.from.slice(0, 10)} to ${m.to.slice(0, 10)}: ${number(m.conversations)} conversations (${number(m.arrivalsPerHour)} an hour), ${number(m.messages)} messages`,
    `Concurrent visitors  C = n·t/1440 = ${number(p.concurrentVisitors)}`,
    `Message size         s = ${p.messageBytes.value === null ? 'unknown (no messages yet: pass --message-bytes)' : `${number(p.messageBytes.value)} bytes (${p.messageBytes.source}${p.messageBytes.source === 'measured' ? `: mean body + ${p.messageBytes.envelopeBytes} bytes of frame` : ''})`}`,
    `Message rate         f = ${number(p.messagesPerSecond.value)} messages/s (${p.messagesPerSecond.source})`,
    `Bandwidth            T = s·f = ${p.bandwidthBytesPerSecond === null ? 'unknown' : `${number(p.bandwidthBytesPerSecond)} bytes/s`}`,
    `Agents (Erlang C, ${p.agents.target.serviceLevel} % within ${p.agents.target.seconds} s, ${handle}): ${p.agents.average ?? 'unknown'} at the average hour, ${p.agents.peakHour ?? 'unknown'} at the busiest hour of the week`,
    `Nodes                ${nodes}`,
  ].join('\n');
}
