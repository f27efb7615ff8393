import { ManualClock } from '../../../server/domain/clock.ts';
import { RoutingEngine, type AgentInput, type RoutingResult } from '../../../server/domain/routing.ts';

export const T0 = 1_700_000_000_000;
export const GRACE = 60_000;

export function setup(opts: { graceMs?: number; etaWindow?: number } = {}) {
  const clock = new ManualClock(T0);
  const engine = new RoutingEngine({ clock, graceMs: opts.graceMs ?? GRACE, etaWindow: opts.etaWindow ?? 20 });
  return { clock, engine };
}

export function agent(id: string, over: Partial<AgentInput> = {}): AgentInput {
  return { id, siteIds: ['s1'], capacity: 2, status: 'online', active: true, ...over };
}

/** Creates the agent and opens their first socket. */
export function online(engine: RoutingEngine, input: AgentInput) {
  engine.upsertAgent(input);
  return engine.connect(input.id);
}

export function conv(id: string, queuedAt: number, siteId = 's1') {
  return { id, siteId, queuedAt };
}

export function queueIds(engine: RoutingEngine, siteId = 's1'): string[] {
  return engine.queueSnapshot(siteId).map((p) => p.conversationId);
}

export function codeOf(r: RoutingResult): string {
  return r.ok ? 'ok' : r.code;
}
