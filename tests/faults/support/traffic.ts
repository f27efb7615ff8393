/**
 * Load and chaos for fault tests: visitors and agents typing at random (agents in their assigned
 * conversations, some private notes), connections cut at random, then a settle phase until every outbox
 * is empty. Each runs on timers between start() and stop(); the caller bounds how long.
 */
import type { ClientErrorCode, ResilientAgent, ResilientClient, ResilientVisitor } from '../../support/resilient-client.ts';
import { pick, shuffle, sleep, waitUntil } from './bounded.ts';
import type { CuttableProxy } from './tcp-proxy.ts';

const TICK_MS = 100;
/** No event may still be on its way when transcripts are compared: quiet at least this long once all is idle. */
const QUIET_MS = 1500;

export interface Crowd {
  visitors: ResilientVisitor[];
  agents: ResilientAgent[];
}

export const everyone = (crowd: Crowd): ResilientClient[] => [...crowd.agents, ...crowd.visitors];

export interface TrafficPlan {
  /** Mean time between two messages of one visitor, and of one agent. */
  visitorEveryMs: number;
  agentEveryMs: number;
  /** Share of agent messages that are private notes (visitors must never see them). */
  noteShare: number;
  /** Visitors arrive spread over this long (each stays silent until then); 0: all from the start. */
  arrivalMs: number;
}

export class Traffic {
  private timer: NodeJS.Timeout | undefined;
  private count = 0;
  /** When each visitor starts typing. */
  private readonly arrivals = new Map<ResilientVisitor, number>();

  constructor(
    private readonly crowd: Crowd,
    private readonly plan: TrafficPlan,
  ) {}

  start(): this {
    const started = Date.now();
    for (const visitor of this.crowd.visitors) this.arrivals.set(visitor, started + Math.random() * this.plan.arrivalMs);
    this.timer = setInterval(() => this.tick(), TICK_MS);
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    for (const visitor of this.crowd.visitors) {
      if (this.arrivals.get(visitor)! > now || Math.random() >= TICK_MS / this.plan.visitorEveryMs) continue;
      visitor.send(`${visitor.options.name} says #${++this.count}`);
    }
    for (const agent of this.crowd.agents) {
      if (agent.mine.size === 0 || Math.random() >= TICK_MS / this.plan.agentEveryMs) continue;
      const note = Math.random() < this.plan.noteShare;
      agent.send(pick([...agent.mine]), `${agent.options.name} ${note ? 'notes' : 'answers'} #${++this.count}`, note);
    }
  }
}

export type CutKind = 'drop-transport' | 'bounce' | 'tcp-reset' | 'tcp-blackhole';

export interface ChaosPlan {
  /** A round of cuts every so often, at random within this range. */
  everyMs: [number, number];
  /** Share of the clients (and of the proxy's connections) cut per round. */
  share: number;
  /** Without a proxy only client-side cuts are made. */
  proxy?: CuttableProxy;
}

/** Cuts connections at random: client transport drops, clean disconnect-reconnects, TCP resets and blackholes. */
export class Chaos {
  readonly cuts: Record<CutKind, number> = { 'drop-transport': 0, bounce: 0, 'tcp-reset': 0, 'tcp-blackhole': 0 };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly crowd: Crowd,
    private readonly plan: ChaosPlan,
  ) {}

  start(): this {
    this.schedule();
    return this;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    const [min, max] = this.plan.everyMs;
    this.timer = setTimeout(() => {
      this.round();
      this.schedule();
    }, min + Math.random() * (max - min));
  }

  private round(): void {
    const clients = everyone(this.crowd);
    const count = Math.max(1, Math.round(clients.length * this.plan.share));
    for (const client of shuffle([...clients]).slice(0, count)) {
      if (!client.connected) continue;
      if (Math.random() < 0.5) {
        client.dropTransport();
        this.cuts['drop-transport']++;
      } else {
        client.bounce(Math.random() * 500);
        this.cuts.bounce++;
      }
    }
    if (!this.plan.proxy) return;
    this.cuts['tcp-reset'] += this.plan.proxy.cut(count, 'reset');
    this.cuts['tcp-blackhole'] += this.plan.proxy.cut(Math.ceil(count / 4), 'blackhole');
  }
}

/**
 * Waits until every client is connected with nothing unsent or being caught up, and stays so for a quiet
 * moment: `quietMs` at least, longer than pings need to notice a blackholed connection that still looks open.
 */
export async function settle(crowd: Crowd, timeoutMs: number, quietMs = QUIET_MS): Promise<number> {
  const started = Date.now();
  const clients = everyone(crowd);
  const busy = () => clients.filter((c) => !c.idle);
  // Ends by returning, or by waitUntil throwing once the time is up.
  for (;;) {
    const left = timeoutMs - (Date.now() - started);
    await waitUntil(() => busy().length === 0, Math.max(0, left), () => describeBusy(busy()), 100);
    await sleep(Math.max(quietMs, QUIET_MS));
    if (busy().length === 0) return Date.now() - started;
  }
}

function describeBusy(clients: ResilientClient[]): string {
  const sample = clients.slice(0, 5).map((c) => `${c.options.name} (connected ${c.connected}, unsent ${c.unsent})`);
  return `${clients.length} clients to settle: ${sample.join(', ')}`;
}

/** What the clients went through, summed. */
export function clientTotals(crowd: Crowd) {
  const errors: Partial<Record<ClientErrorCode, number>> = {};
  const disconnects: Record<string, number> = {};
  let reconnects = 0;
  let resends = 0;
  let refusedHandshakes = 0;
  for (const client of everyone(crowd)) {
    reconnects += Math.max(0, client.stats.connects - 1);
    resends += client.stats.resends;
    refusedHandshakes += client.stats.handshakeRefusals;
    for (const [reason, n] of Object.entries(client.stats.disconnects)) disconnects[reason] = (disconnects[reason] ?? 0) + n;
    for (const [code, n] of Object.entries(client.stats.errors)) errors[code as ClientErrorCode] = (errors[code as ClientErrorCode] ?? 0) + n;
  }
  return { reconnects, disconnects, resends, refusedHandshakes, errors };
}
