/**
 * A deliberately naive reference model of the routing rules: flat arrays, full scans and re-sorting
 * on every step, no incremental structures. Slow, but easy to check by eye against the issue.
 */
import type { AgentStatus } from '../../../server/contract/dto.ts';
import type { AgentInput, ConversationInput } from '../../../server/domain/routing.ts';

interface MAgent {
  id: string;
  sites: readonly string[] | 'all';
  cap: number;
  status: AgentStatus;
  active: boolean;
  bot: boolean;
  connected: boolean;
  last: number | null;
  since: number | null;
  deadline: number | null;
}
interface MConv {
  id: string;
  site: string;
  queuedAt: number;
  assignee: string | null;
  enteredAt: number;
  entryPos: number;
  avoid: string | null;
}
export interface MResult {
  code: string;
  from?: string | null;
}
export interface MOut {
  assigned: { conversationId: string; agentId: string; siteId: string; waitedMs: number }[];
  requeued: { conversationId: string; fromAgentId: string; siteId: string }[];
}

const byQueued = (a: MConv, b: MConv) => a.queuedAt - b.queuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const nf = (x: number | null) => (x === null ? -Infinity : x);

export class Model {
  agents: MAgent[] = [];
  convs: MConv[] = [];
  resolved = new Set<string>();
  samples = new Map<string, { w: number; p: number }[]>();
  out: MOut = { assigned: [], requeued: [] };

  constructor(
    private now: () => number,
    private grace: number,
    private window: number,
  ) {}

  // --- helpers
  /** Takes from the queue: a person, active, connected, online. A bot only gets what enqueue routes to it. */
  elig = (a: MAgent) => a.active && !a.bot && a.connected && a.status === 'online';
  serves = (a: MAgent, site: string) => a.sites === 'all' || a.sites.includes(site);
  load = (id: string) => this.convs.filter((c) => c.assignee === id).length;
  agent = (id: string) => this.agents.find((a) => a.id === id);
  conv = (id: string) => this.convs.find((c) => c.id === id);
  waiting = (site: string) => this.convs.filter((c) => c.site === site && c.assignee === null).sort(byQueued);

  private toQueue(c: MConv, enteredAt: number) {
    c.assignee = null;
    c.enteredAt = enteredAt;
    c.entryPos = this.waiting(c.site).filter((o) => o !== c && byQueued(o, c) < 0).length + 1;
  }

  private give(c: MConv, a: MAgent, auto: boolean) {
    const now = this.now();
    if (c.assignee === null) {
      const w = Math.max(0, now - c.enteredAt);
      if (w > 0) {
        const s = this.samples.get(c.site) ?? [];
        s.push({ w, p: c.entryPos });
        this.samples.set(c.site, s.slice(-this.window));
      }
      if (auto) this.out.assigned.push({ conversationId: c.id, agentId: a.id, siteId: c.site, waitedMs: w });
    }
    c.assignee = a.id;
    c.avoid = null;
    a.last = now;
  }

  private requeueAll(a: MAgent) {
    for (const c of this.convs.filter((x) => x.assignee === a.id).sort(byQueued)) {
      this.toQueue(c, this.now());
      this.out.requeued.push({ conversationId: c.id, fromAgentId: a.id, siteId: c.site });
    }
  }

  /** The oldest waiting conversation anybody can take goes to the best candidate; repeat. */
  drain() {
    for (;;) {
      const all = this.convs.filter((c) => c.assignee === null).sort(byQueued);
      let moved = false;
      for (const c of all) {
        const cands = this.agents.filter((a) => this.elig(a) && this.serves(a, c.site) && this.load(a.id) < a.cap);
        if (cands.length === 0) continue;
        const pref = cands.filter((a) => a.id !== c.avoid);
        const pool = (pref.length ? pref : cands).sort(
          (x, y) =>
            this.load(x.id) - this.load(y.id) ||
            nf(x.last) - nf(y.last) ||
            nf(x.since) - nf(y.since) ||
            (x.id < y.id ? -1 : 1),
        );
        this.give(c, pool[0]!, true);
        moved = true;
        break;
      }
      if (!moved) return;
    }
  }

  begin() {
    this.out = { assigned: [], requeued: [] };
  }

  // --- agents
  private change(a: MAgent, p: { connected?: boolean; status?: AgentStatus; active?: boolean }) {
    const was = this.elig(a);
    let arm = false;
    if (p.connected === false && a.connected) arm = true;
    if (p.status !== undefined && p.status !== a.status && p.status !== 'online') arm = true;
    Object.assign(a, Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)));
    if (!a.active) {
      a.deadline = null;
      a.since = null;
      this.requeueAll(a);
    } else if (a.bot) {
      a.deadline = null;
      a.since = null;
    } else if (this.elig(a)) {
      a.deadline = null;
      if (!was) a.since = this.now();
    } else {
      a.since = null;
      if (arm && a.deadline === null && this.load(a.id) > 0) a.deadline = this.now() + this.grace;
    }
  }

  upsert(i: AgentInput) {
    let a = this.agent(i.id);
    if (!a) {
      a = { id: i.id, sites: [], cap: 0, status: 'offline', active: true, bot: false, connected: false, last: null, since: null, deadline: null };
      this.agents.push(a);
    }
    a.sites = i.siteIds === 'all' ? 'all' : [...i.siteIds];
    a.cap = i.capacity;
    a.bot = i.bot ?? false;
    this.change(a, { status: i.status, active: i.active });
  }
  remove(id: string) {
    const a = this.agent(id);
    if (!a) return;
    this.requeueAll(a);
    this.agents = this.agents.filter((x) => x !== a);
  }
  connect(id: string) {
    const a = this.agent(id);
    if (a) this.change(a, { connected: true });
  }
  disconnect(id: string) {
    const a = this.agent(id);
    if (a) this.change(a, { connected: false });
  }
  setStatus(id: string, status: AgentStatus) {
    const a = this.agent(id);
    if (a) this.change(a, { status });
  }

  // --- conversations
  place(i: ConversationInput) {
    const now = this.now();
    const c: MConv = { id: i.id, site: i.siteId, queuedAt: i.queuedAt, assignee: null, enteredAt: now, entryPos: 1, avoid: null };
    this.convs.push(c);
    const h = i.assigneeId === null ? undefined : this.agent(i.assigneeId);
    if (h?.active) {
      c.assignee = h.id;
      if (i.assignedAt !== null && (h.last === null || i.assignedAt > h.last)) h.last = i.assignedAt;
      if (!h.bot && !this.elig(h) && h.deadline === null) h.deadline = now + this.grace;
      return;
    }
    this.toQueue(c, i.assigneeId === null ? Math.min(i.queuedAt, now) : now);
    if (i.assigneeId !== null) this.out.requeued.push({ conversationId: c.id, fromAgentId: i.assigneeId, siteId: c.site });
  }
  enqueue({ botId, ...i }: { id: string; siteId: string; queuedAt: number; botId?: string }) {
    if (this.conv(i.id)) return;
    this.resolved.delete(i.id);
    const bot = botId === undefined ? undefined : this.agent(botId);
    if (bot?.bot && bot.active && this.serves(bot, i.siteId) && this.load(bot.id) < bot.cap) {
      this.place({ ...i, assigneeId: bot.id, assignedAt: this.now() });
      this.out.assigned.push({ conversationId: i.id, agentId: bot.id, siteId: i.siteId, waitedMs: 0 });
    } else this.place({ ...i, assigneeId: null, assignedAt: null });
  }
  handoff(id: string, botId: string): MResult {
    const c = this.conv(id);
    if (c && c.assignee !== botId) return { code: 'CONFLICT' };
    return this.unassign(id);
  }
  claim(agentId: string, id: string): MResult {
    const c = this.conv(id);
    if (!c) return { code: this.resolved.has(id) ? 'NOT_QUEUED' : 'NOT_FOUND' };
    const a = this.agent(agentId);
    if (!a) return { code: 'NOT_FOUND' };
    if (!a.active || a.bot || !this.serves(a, c.site)) return { code: 'FORBIDDEN' };
    if (c.assignee === agentId) return { code: 'ok', from: agentId };
    const from = c.assignee;
    if (from !== null && !this.agent(from)?.bot) return { code: 'ALREADY_ASSIGNED' };
    if (!a.connected) return { code: 'AGENT_UNAVAILABLE' };
    if (this.load(a.id) >= a.cap) return { code: 'AGENT_AT_CAPACITY' };
    if (from !== null) {
      // Taken over from a bot: not a queue wait, so no estimate sample.
      c.assignee = a.id;
      c.avoid = null;
      a.last = this.now();
    } else this.give(c, a, false);
    a.deadline = null;
    return { code: 'ok', from };
  }
  assign(id: string, to: string): MResult {
    const c = this.conv(id);
    if (!c) return { code: this.resolved.has(id) ? 'NOT_QUEUED' : 'NOT_FOUND' };
    const a = this.agent(to);
    if (!a) return { code: 'NOT_FOUND' };
    if (!a.active || a.bot || !this.serves(a, c.site)) return { code: 'FORBIDDEN' };
    if (c.assignee === to) return { code: 'ok', from: to };
    if (c.assignee !== null) return { code: 'ALREADY_ASSIGNED' };
    if (!a.connected || a.status === 'offline') return { code: 'AGENT_UNAVAILABLE' };
    if (this.load(a.id) >= a.cap) return { code: 'AGENT_AT_CAPACITY' };
    // Unlike a claim, the agent did nothing: a grace period already running stands.
    this.give(c, a, false);
    return { code: 'ok', from: null };
  }
  transfer(id: string, to: string): MResult {
    const c = this.conv(id);
    if (!c) return { code: this.resolved.has(id) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND' };
    const a = this.agent(to);
    if (!a) return { code: 'NOT_FOUND' };
    if (!this.serves(a, c.site)) return { code: 'FORBIDDEN' };
    if (c.assignee === to) return { code: 'ok', from: to };
    if (!this.elig(a)) return { code: 'AGENT_UNAVAILABLE' };
    if (this.load(a.id) >= a.cap) return { code: 'AGENT_AT_CAPACITY' };
    const from = c.assignee;
    if (from !== null) {
      // Agent to agent: not a queue wait, so no estimate sample.
      c.assignee = a.id;
      c.avoid = null;
      a.last = this.now();
    } else this.give(c, a, false);
    return { code: 'ok', from };
  }
  unassign(id: string): MResult {
    const c = this.conv(id);
    if (!c) return { code: this.resolved.has(id) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND' };
    const from = c.assignee;
    if (from === null) return { code: 'CONFLICT' };
    this.toQueue(c, this.now());
    c.avoid = from;
    return { code: 'ok', from };
  }
  resolve(id: string): MResult {
    const c = this.conv(id);
    if (!c) return { code: this.resolved.has(id) ? 'CONVERSATION_RESOLVED' : 'NOT_FOUND' };
    this.convs = this.convs.filter((x) => x !== c);
    this.resolved.add(id);
    return { code: 'ok', from: c.assignee };
  }
  sync(i: ConversationInput) {
    this.convs = this.convs.filter((x) => x.id !== i.id);
    this.resolved.delete(i.id);
    this.place(i);
  }
  forget(id: string) {
    this.convs = this.convs.filter((x) => x.id !== id);
  }
  load_(agents: AgentInput[], convs: ConversationInput[]) {
    this.agents = [];
    this.convs = [];
    this.resolved.clear();
    this.samples.clear();
    for (const a of agents) this.upsert(a);
    for (const c of convs) if (!this.conv(c.id)) this.place(c);
  }

  // --- time
  nextDeadline(): number | null {
    const ds = this.agents.map((a) => a.deadline).filter((d): d is number => d !== null);
    return ds.length ? Math.min(...ds) : null;
  }
  expireDue() {
    const now = this.now();
    const due = this.agents
      .filter((a) => a.deadline !== null && a.deadline <= now)
      .sort((x, y) => x.deadline! - y.deadline! || (x.id < y.id ? -1 : 1));
    for (const a of due) {
      a.deadline = null;
      if (!this.elig(a)) this.requeueAll(a);
      else throw new Error(`eligible agent ${a.id} had a grace deadline`);
    }
  }

  // --- what visitors see
  snapshot(site: string) {
    const online = this.agents.some((a) => this.elig(a) && this.serves(a, site));
    const s = this.samples.get(site) ?? [];
    const sw = s.reduce((t, x) => t + x.w, 0);
    const sp = s.reduce((t, x) => t + x.p, 0);
    return this.waiting(site).map((c, i) => ({
      conversationId: c.id,
      position: i + 1,
      estimatedWaitMs: online && sp > 0 ? Math.round((i + 1) * (sw / sp)) : null,
      agentsOnline: online,
    }));
  }
}
