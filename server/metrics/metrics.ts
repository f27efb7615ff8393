/**
 * Parley's Prometheus metrics, in a registry of its own (not prom-client's global one), so several servers in
 * one process (tests) never share or collide. Figures come from the domain events, from plain callbacks the
 * database and the socket adapter call (they import nothing from here), and from read-only sources read at
 * scrape time. Every name of Parley's own starts with `parley_`; Node's defaults keep their usual names.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DomainEvents } from '../app/events.ts';
import type { Clock } from '../domain/clock.ts';
import type { WaitingLine } from '../domain/routing.ts';
import type { JobStatus } from '../jobs/types.ts';

/** What is read when Prometheus scrapes. */
export interface MetricSources {
  events: DomainEvents;
  clock: Clock;
  /** Open connections on this node. */
  connected: () => { visitors: number; agents: number };
  /** Each site's waiting line, as this node's routing engine holds it. */
  waitingLines: () => WaitingLine[];
  role: () => 'single' | 'leader' | 'follower';
  jobCounts: () => Promise<{ kind: string; status: JobStatus; count: number }[]>;
}

/** Deliveries of work that leaves the process: webhooks, email, push. */
export type DeliveryChannel = 'webhook' | 'email' | 'push';
/** delivered: accepted by the receiver; failed: this attempt failed, a retry follows; dead: the last attempt failed. */
export type DeliveryOutcome = 'delivered' | 'failed' | 'dead';

const ROLES = ['single', 'leader', 'follower'] as const;
/** Job counts are a grouped count over the whole table: scrapes within this long reuse the last one. */
const JOB_COUNTS_TTL_MS = 5_000;
/** Seconds, for waits people notice: from a second to an hour. */
const WAIT_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** Seconds, for server work: from a millisecond to ten seconds. */
const WORK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export class Metrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'channel' | 'outcome'>;
  private readonly commitSize: Histogram;
  private readonly commitSeconds: Histogram;
  private readonly commandSeconds: Histogram<'namespace' | 'event'>;
  private jobCounts: { at: number; counts: ReturnType<MetricSources['jobCounts']> } | undefined;

  constructor(private readonly sources: MetricSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.deliveries = new Counter({ name: 'parley_deliveries_total', help: 'Webhook, email and push deliveries by outcome', labelNames: ['channel', 'outcome'], registers });
    this.commitSize = new Histogram({ name: 'parley_commit_batch_size', help: 'Messages per group-commit batch', buckets: [1, 2, 5, 10, 20, 50, 100, 200], registers });
    this.commitSeconds = new Histogram({ name: 'parley_commit_duration_seconds', help: 'Time to write one group-commit batch', buckets: WORK_BUCKETS, registers });
    this.commandSeconds = new Histogram({ name: 'parley_ack_latency_seconds', help: 'Socket.IO command arrival to ack, by namespace and command', labelNames: ['namespace', 'event'], buckets: WORK_BUCKETS, registers });
    this.subscribe(registers);
    this.gauges(registers);
  }

  /** For the modules that deliver webhooks and email: count one delivery attempt's outcome. */
  readonly recordDelivery = (channel: DeliveryChannel, outcome: DeliveryOutcome): void => {
    this.deliveries.inc({ channel, outcome });
  };

  /** GroupCommit's observer. */
  readonly observeBatch = (size: number, ms: number): void => {
    this.commitSize.observe(size);
    this.commitSeconds.observe(ms / 1000);
  };

  /** mountCommands' observer; only the contract's namespaces and command names reach it, so the label set is bounded. */
  readonly observeCommand = (namespace: string, event: string, ms: number): void => {
    this.commandSeconds.observe({ namespace, event }, ms / 1000);
  };

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private subscribe(registers: Registry[]): void {
    const stored = new Counter({ name: 'parley_messages_stored_total', help: 'Messages stored, by author kind', labelNames: ['author'], registers });
    const conversations = new Counter({ name: 'parley_conversations_total', help: 'Conversations queued, assigned and resolved', labelNames: ['event'], registers });
    const waited = new Histogram({ name: 'parley_wait_to_assignment_seconds', help: 'Time from queued to assigned', buckets: WAIT_BUCKETS, registers });
    const { events } = this.sources;
    events.on('message.created', ({ message }) => void stored.inc({ author: message.authorKind }));
    events.on('conversation.queued', () => void conversations.inc({ event: 'queued' }));
    events.on('conversation.resolved', () => void conversations.inc({ event: 'resolved' }));
    events.on('conversation.assigned', ({ conversation }) => {
      conversations.inc({ event: 'assigned' });
      if (conversation.assignedAt) waited.observe((Date.parse(conversation.assignedAt) - Date.parse(conversation.queuedAt)) / 1000);
    });
  }

  private gauges(registers: Registry[]): void {
    const sources = this.sources;
    new Gauge({
      name: 'parley_connected_sockets',
      help: 'Open Socket.IO connections on this node, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const { visitors, agents } = sources.connected();
        this.set({ kind: 'visitor' }, visitors);
        this.set({ kind: 'agent' }, agents);
      },
    });
    new Gauge({
      name: 'parley_queue_length',
      help: 'Conversations waiting, per site (on the routing leader)',
      labelNames: ['site'],
      registers,
      collect() {
        this.reset();
        for (const line of sources.waitingLines()) this.set({ site: line.siteId }, line.length);
      },
    });
    new Gauge({
      name: 'parley_queue_longest_wait_seconds',
      help: 'How long the first in line has waited, per site (on the routing leader)',
      labelNames: ['site'],
      registers,
      collect() {
        this.reset();
        const now = sources.clock.now();
        for (const line of sources.waitingLines()) this.set({ site: line.siteId }, (now - line.oldestQueuedAt) / 1000);
      },
    });
    new Gauge({
      name: 'parley_routing_role',
      help: "This node's routing role: 1 for the current one",
      labelNames: ['role'],
      registers,
      collect() {
        const current = sources.role();
        for (const role of ROLES) this.set({ role }, role === current ? 1 : 0);
      },
    });
    const jobs = () => this.cachedJobCounts();
    new Gauge({
      name: 'parley_jobs',
      help: 'Jobs in the outbox, by kind and state',
      labelNames: ['kind', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const { kind, status, count } of await jobs()) this.set({ kind, state: status }, count);
      },
    });
  }

  private cachedJobCounts(): ReturnType<MetricSources['jobCounts']> {
    const now = this.sources.clock.now();
    if (!this.jobCounts || now - this.jobCounts.at >= JOB_COUNTS_TTL_MS) {
      const counts = this.sources.jobCounts();
      // A failed count is not kept: the next scrape asks again.
      counts.catch(() => (this.jobCounts = undefined));
      this.jobCounts = { at: now, counts };
    }
    return this.jobCounts.counts;
  }
}
