/**
 * The load patterns, the same for both targets. Latency is measured in this one process from the send to
 * its arrival on the other side's socket ('message:new'; Parley's agents get 'messages:new', a batch), so
 * one clock times both ends.
 */
import type { Socket } from 'socket.io-client';
import type { Ack } from '../../server/contract/errors.ts';
import { sleep, summarize, type Summary } from '../stats.ts';
import { nextClientId } from './sockets.ts';
import type { Pair, Side, Target } from './targets.ts';

/** Drain time for the last receipts after a pattern ends; what has not arrived by then counts as lost. */
const DRAIN_MS = 5_000;
export const BODY = 'Could you check the delivery date of order 48213, please? Thanks!';

interface Pending {
  sentAt: number;
  receiver: Socket | null;
  direction: Side;
  measured: boolean;
}

type Receipt = { clientId?: string | null };

/** Sends and their receipts, keyed by clientId, for one pattern run; listens on the target's sockets until disposed. */
class Tracker {
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Map<Socket, { one: (message: Receipt) => void; batch: (messages: Receipt[]) => void }>();
  readonly latency: Record<Side, number[]> = { visitor: [], agent: [] };
  readonly ackLatency: number[] = [];
  received = 0;
  errors = 0;
  errorSample: string | undefined;

  constructor(sockets: Socket[]) {
    for (const socket of sockets) {
      const one = (message: Receipt) => this.receipt(message.clientId, socket);
      const batch = (messages: Receipt[]) => messages.forEach(one);
      this.listeners.set(socket, { one, batch });
      socket.on('message:new', one).on('messages:new', batch);
    }
  }

  dispose(): void {
    for (const [socket, { one, batch }] of this.listeners) socket.off('message:new', one).off('messages:new', batch);
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
  /** The measured times themselves (ms), when asked for: windows measured apart can then be pooled. */
  samples?: { visitorToAgent: number[]; ack: number[] };
}

export interface PacedOptions {
  intervalMs: number;
  warmupMs: number;
  durationMs: number;
  /** Who sends: the two sides in turn (default), or the visitor only. */
  from?: 'alternate' | 'visitor';
  /** Each gap is intervalMs × (1 ± jitter), uniformly (default 0: exactly intervalMs). */
  jitter?: number;
  /** Return the samples as well as their summaries. */
  keepSamples?: boolean;
}

/**
 * Every conversation sends one message every `intervalMs`, alternately from the visitor and from the agent
 * (or from the visitor only), with the conversations' phases spread evenly over the interval. The first
 * `warmupMs` are not measured.
 */
export async function paced(target: Target, pairs: Pair[], options: PacedOptions): Promise<PacedResult> {
  const jitter = options.jitter ?? 0;
  const gap = () => options.intervalMs * (1 + jitter * (2 * Math.random() - 1));
  const tracker = new Tracker(target.sockets());
  const start = performance.now() + 20;
  const measureFrom = start + options.warmupMs;
  const end = measureFrom + options.durationMs;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const conversation = async (pair: Pair, index: number) => {
    let at = start + (index / pairs.length) * options.intervalMs;
    for (let tick = index % 2; at < end; tick++, at += gap()) {
      await sleep(Math.max(0, at - performance.now()));
      const measured = at >= measureFrom;
      if (measured) sent++;
      const side = options.from === 'visitor' || tick % 2 === 0 ? 'visitor' : 'agent';
      const send = tracker.send(target, pair, side, measured);
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
    ...(options.keepSamples && { samples: { visitorToAgent: tracker.latency.visitor, ack: tracker.ackLatency } }),
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
  /** Share of one core the load generator used in the measured window: on 2 cores, it competes with the server. */
  generatorCpu: number;
  ack: Summary;
  /** Send to arrival on the agent's socket, for the messages delivered in the window. */
  visitorToAgent: Summary;
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
  // This process's CPU over exactly the measured window.
  let cpuFrom = process.cpuUsage();
  let cpu: NodeJS.CpuUsage | undefined;
  setTimeout(() => (cpuFrom = process.cpuUsage()), options.warmupMs);
  setTimeout(() => (cpu = process.cpuUsage(cpuFrom)), options.warmupMs + options.durationMs);
  const loop = async (pair: Pair) => {
    while (performance.now() < end) await tracker.send(target, pair, 'visitor', performance.now() >= measureFrom);
  };
  await Promise.all(senders.map(loop));
  cpu ??= process.cpuUsage(cpuFrom); // the timer was late: a few ms more
  await tracker.drain();
  tracker.dispose();
  const seconds = options.durationMs / 1000;
  return {
    senders: senders.length,
    ackedPerSecond: Math.round(tracker.ackLatency.length / seconds),
    deliveredPerSecond: Math.round(tracker.received / seconds),
    errors: tracker.errors,
    ...(tracker.errorSample ? { errorSample: tracker.errorSample } : {}),
    generatorCpu: Math.round((cpu.user + cpu.system) / 1000 / options.durationMs * 100) / 100,
    ack: summarize(tracker.ackLatency),
    visitorToAgent: summarize(tracker.latency.visitor),
  };
}

export interface FloodResult {
  /** Characters and UTF-8 bytes of each flooded message's body. */
  bodyChars: number;
  bodyBytes: number;
  durationMs: number;
  /** Messages emitted, and how the server answered them. */
  attempted: number;
  accepted: number;
  rateLimited: number;
  otherErrors: number;
  /** Still unanswered once the flood stopped and the drain ended (or the socket closed). */
  unanswered: number;
  attemptedPerSecond: number;
  errorSample?: string;
  /** How often the server closed the flooder's connection; like a hostile script, it reconnects each time. */
  disconnects: number;
  /** The flooding process's own CPU, share of one core: on a small machine it competes with the server. */
  cpu: number;
}

/** How long the flooder waits, once it stops, for the answers to what it sent. */
const FLOOD_DRAIN_MS = 10_000;

/**
 * One visitor sending `body` into its conversation as fast as it can, never waiting for an answer before
 * the next send: only `windowBytes` of unanswered packets are kept in flight (about what a socket's buffers
 * hold; more would only queue in this process). Every answer is counted: accepted, RATE_LIMITED, other.
 */
export async function flood(socket: Socket, conversationId: string, options: { body: string; durationMs: number; windowBytes: number }): Promise<FloodResult> {
  const { body, durationMs } = options;
  const packetBytes = Buffer.byteLength(JSON.stringify(['message:send', { conversationId, clientId: nextClientId(), body }]));
  const window = Math.max(1, Math.floor(options.windowBytes / packetBytes));
  const counts = { attempted: 0, accepted: 0, rateLimited: 0, otherErrors: 0 };
  let outstanding = 0;
  let errorSample: string | undefined;
  let disconnects = 0;
  let dropped = 0;
  const onDisconnect = (reason: string) => {
    disconnects++;
    // Answers to what was in flight never come: count it unanswered and fill the window again.
    dropped += outstanding;
    outstanding = 0;
    if (reason === 'io server disconnect') socket.connect(); // Socket.IO would not; a script would
  };
  const onConnect = () => pump();
  socket.on('disconnect', onDisconnect);
  socket.on('connect', onConnect);
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const end = startedAt + durationMs;
  let scheduled = false;
  const answered = (answer: Ack<unknown>) => {
    outstanding--;
    if (answer.ok) counts.accepted++;
    else if (answer.error.code === 'RATE_LIMITED') counts.rateLimited++;
    else {
      counts.otherErrors++;
      errorSample ??= `${answer.error.code} ${answer.error.message}`;
    }
    if (!scheduled) {
      scheduled = true;
      setImmediate(pump);
    }
  };
  function pump() {
    scheduled = false;
    while (outstanding < window && socket.connected && performance.now() < end) {
      outstanding++;
      counts.attempted++;
      socket.emit('message:send', { conversationId, clientId: nextClientId(), body }, answered);
    }
  }
  pump();
  await sleep(durationMs);
  const drainUntil = performance.now() + FLOOD_DRAIN_MS;
  while (outstanding > 0 && socket.connected && performance.now() < drainUntil) await sleep(20);
  socket.off('disconnect', onDisconnect);
  socket.off('connect', onConnect);
  if (!socket.connected) socket.connect();
  const cpu = process.cpuUsage(cpuBefore);
  return {
    bodyChars: body.length,
    bodyBytes: Buffer.byteLength(body),
    durationMs,
    ...counts,
    unanswered: outstanding + dropped,
    attemptedPerSecond: Math.round(counts.attempted / (durationMs / 1000)),
    ...(errorSample ? { errorSample } : {}),
    disconnects,
    cpu: Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - startedAt)) * 100) / 100,
  };
}
