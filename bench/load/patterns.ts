/**
 * The load patterns, the same for both targets. Latency is measured in this one process from the send to
 * the 'message:new' on the other side's socket, so one clock times both ends.
 */
import type { Socket } from 'socket.io-client';
import { sleep, summarize, type Summary } from '../stats.ts';
import { nextClientId } from './sockets.ts';
import type { Pair, Side, Target } from './targets.ts';

/** Drain time for the last receipts after a pattern ends; what has not arrived by then counts as lost. */
const DRAIN_MS = 5_000;
const BODY = 'Could you check the delivery date of order 48213, please? Thanks!';

interface Pending {
  sentAt: number;
  receiver: Socket | null;
  direction: Side;
  measured: boolean;
}

/** Sends and their receipts, keyed by clientId, for one pattern run; listens on the target's sockets until disposed. */
class Tracker {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Map<Socket, (message: { clientId?: string | null }) => void>();
  readonly latency: Record<Side, number[]> = { visitor: [], agent: [] };
  readonly ackLatency: number[] = [];
  received = 0;
  errors = 0;
  errorSample: string | undefined;

  constructor(sockets: Socket[]) {
    for (const socket of sockets) {
      const listener = (message: { clientId?: string | null }) => this.receipt(message.clientId, socket);
      this.listeners.set(socket, listener);
      socket.on('message:new', listener);
    }
  }

  dispose(): void {
    for (const [socket, listener] of this.listeners) socket.off('message:new', listener);
  }

  /** Sends one message and resolves on its ack; the receipt is recorded when it reaches the other side. */
  async send(target: Target, pair: Pair, from: Side, measured: boolean): Promise<void> {
    const clientId = nextClientId();
    const sentAt = performance.now();
    const receiver = from === 'visitor' ? pair.agent : pair.visitor;
    if (receiver) this.pending.set(clientId, { sentAt, receiver, direction: from, measured });
    try {
      await target.send(pair, from, BODY, clientId);
      if (measured) this.ackLatency.push(performance.now() - sentAt);
    } catch (error) {
      this.pending.delete(clientId);
      this.errors++;
      this.errorSample ??= String(error);
    }
  }

  private receipt(clientId: string | null | undefined, socket: Socket): void {
    const sent = clientId ? this.pending.get(clientId) : undefined;
    if (!sent || sent.receiver !== socket) return; // e.g. the sender's own echo, or another agent of the site
    this.pending.delete(clientId!);
    if (!sent.measured) return;
    this.latency[sent.direction].push(performance.now() - sent.sentAt);
    this.received++;
  }

  async drain(): Promise<number> {
    const until = performance.now() + DRAIN_MS;
    while (this.measuredPending() > 0 && performance.now() < until) await sleep(20);
    return this.measuredPending();
  }

  private measuredPending(): number {
    let count = 0;
    for (const entry of this.pending.values()) if (entry.measured) count++;
    return count;
  }
}

export interface PacedResult {
  conversations: number;
  /** Messages per second offered, both directions together. */
  offeredRate: number;
  sent: number;
  received: number;
  lost: number;
  errors: number;
  errorSample?: string;
  visitorToAgent: Summary;
  agentToVisitor: Summary;
  /** Send to ack: for Parley, to the commit. */
  ack: Summary;
}

/**
 * Every conversation sends one message every `intervalMs`, alternately from the visitor and from the agent,
 * with the conversations' phases spread evenly over the interval. The first `warmupMs` are not measured.
 */
export async function paced(target: Target, pairs: Pair[], options: { intervalMs: number; warmupMs: number; durationMs: number }): Promise<PacedResult> {
  const tracker = new Tracker(target.sockets());
  const start = performance.now() + 20;
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const conversation = async (pair: Pair, index: number) => {
    let at = start + (index / pairs.length) * options.intervalMs;
    for (let tick = index % 2; at < end; tick++, at += options.intervalMs) {
      await sleep(Math.max(0, at - performance.now()));
      const measured = at >= measureFrom;
      if (measured) sent++;
      const send = tracker.send(target, pair, tick % 2 === 0 ? 'visitor' : 'agent', measured);
      inFlight.add(send);
      void send.finally(() => inFlight.delete(send));
    }
  };
  await Promise.all(pairs.map(conversation));
  await Promise.all(inFlight);
  const lost = await tracker.drain();
  tracker.dispose();
  return {
    conversations: pairs.length,
    offeredRate: pairs.length / (options.intervalMs / 1000),
    sent,
    received: tracker.received,
    lost,
    errors: tracker.errors,
    ...(tracker.errorSample ? { errorSample: tracker.errorSample } : {}),
    visitorToAgent: summarize(tracker.latency.visitor),
    agentToVisitor: summarize(tracker.latency.agent),
    ack: summarize(tracker.ackLatency),
  };
}

export interface ClosedLoopResult {
  senders: number;
  /** Acked messages per second in the measured window. */
  ackedPerSecond: number;
  /** Messages per second that reached the other side in the measured window. */
  deliveredPerSecond: number;
  errors: number;
  errorSample?: string;
  ack: Summary;
}

/**
 * Max throughput with acks: each sender (a conversation's visitor) sends its next message as soon as the
 * previous one is acked. Pairs without an agent (agent: null) measure the write path alone.
 */
export async function closedLoop(
  target: Target,
  senders: Pair[],
  options: { warmupMs: number; durationMs: number },
): Promise<ClosedLoopResult> {
  const tracker = new Tracker(target.sockets());
  const measureFrom = performance.now() + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const loop = async (pair: Pair) => {
    while (performance.now() < end) await tracker.send(target, pair, 'visitor', performance.now() >= measureFrom);
  };
  await Promise.all(senders.map(loop));
  await tracker.drain();
  tracker.dispose();
  const seconds = options.durationMs / 1000;
  return {
    senders: senders.length,
    ackedPerSecond: Math.round(tracker.ackLatency.length / seconds),
    deliveredPerSecond: Math.round(tracker.received / seconds),
    errors: tracker.errors,
    ...(tracker.errorSample ? { errorSample: tracker.errorSample } : {}),
    ack: summarize(tracker.ackLatency),
  };
}
