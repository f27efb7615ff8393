/**
 * The burst section's clients, in the load generators: visitors who all open a conversation within a few seconds
 * (BurstVisitors), agents, some held away to come online at once later (BurstAgents), and the opening-messages
 * probe. Agents and visitors are separate processes, as they are separate machines: in one process, a visitor's
 * assignment event waited behind the parsing of 200 consoles' frames. The consoles count their events rather than
 * decode them (counting-parser.ts). Times cross the two processes as wall-clock milliseconds
 * (performance.timeOrigin + now), which every process on the machine shares.
 */
import type { Socket } from 'socket.io-client';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { AgentSession } from '../../server/contract/http.ts';
import { postJson } from '../http.ts';
import type { Credentials, Site } from '../setup.ts';
import { pool, sleep, summarize, type Summary } from '../stats.ts';
import { countingParser, eventFrameStart } from './counting-parser.ts';
import { command, connect, nextClientId } from './sockets.ts';
import { connectVisitor, visitorToken } from './targets.ts';

/** How long the last assignments and positions may take to arrive after the burst or the drain. */
const SETTLE_MS = 15_000;
/** Acks from a server working through a burst. */
const BUSY_ACK_TIMEOUT_MS = 60_000;
/** As the widget does, a first message answered UNAVAILABLE is sent again (same clientId) after a pause. */
const RETRY_PAUSE_MS = 250;
const RETRIES = 40;

export interface BurstResult {
  visitors: number;
  /** Conversations started (acked first messages) and how many their visitors heard assigned. */
  started: number;
  assigned: number;
  errors: number;
  errorSample?: string;
  /** First message sent to the visitor hearing of the assignment, for the conversations assigned at arrival. */
  firstMessageToAssignment: Summary;
  /** Assignments over the time from the first message to the last assignment heard. */
  assignmentsPerSecond: number;
  /** 'queue:position' events the visitors received, per second of the same window, and in all. */
  queuePositionEvents: number;
  queuePositionEventsPerSecond: number;
}

export interface DrainResult {
  /** Agents brought online at once, and the queued conversations then assigned. */
  agents: number;
  assigned: number;
  /** From the first status change sent to the last assignment heard. */
  ms: number;
  assignmentsPerSecond: number;
  queuePositionEvents: number;
}

export interface OpeningResult {
  conversations: number;
  /** Visitors whose second message joined another conversation than the first (should be none). */
  split: number;
  errors: number;
  errorSample?: string;
  first: Summary;
  second: Summary;
}

export interface ChangeFrames {
  frames: number;
  /** Everything the agents' consoles received meanwhile, in kilobytes (characters of its frames: ASCII JSON). */
  kilobytes: number;
  agents: number;
}

interface Waiting {
  sentAt: number;
  conversationId?: string;
  assignedAt?: number;
}

const AGENT_NAMESPACE = '/agent';
const CHANGES_FRAME = eventFrameStart(AGENT_NAMESPACE, 'conversations:updated');

/** Wall-clock milliseconds with performance.now()'s resolution, comparable across processes. */
const wallClock = () => performance.timeOrigin + performance.now();

/** The agents of the burst; agent i connects to urls[i % n]. */
export class BurstAgents {
  private readonly agents: Socket[] = [];
  /** Agents from this index on were connected away. */
  private onlineAtStart = 0;
  /** 'conversations:updated' frames the agents received since last counted: what their consoles had to take in. */
  private changeFrames = 0;
  /** And the characters of every frame they received, whatever its event. */
  private received = 0;
  /** The consoles count their events without decoding them (counting-parser.ts). */
  private readonly parser = countingParser(AGENT_NAMESPACE, (frame) => {
    this.received += frame.length;
    if (frame.startsWith(CHANGES_FRAME)) this.changeFrames++;
  });

  constructor(private readonly urls: string[]) {}

  /** Connects every agent; all but the first `online` are set away, to come online in comeOnline(). */
  async connect(logins: Credentials[], online: number): Promise<null> {
    this.onlineAtStart = online;
    await pool(logins.length, 10, async (i) => {
      const url = this.urls[i % this.urls.length]!;
      const session = await postJson<AgentSession>(`${url}/api/auth/login`, logins[i]);
      const socket = await connect(`${url}${AGENT_NAMESPACE}`, { token: session.accessToken }, url, {}, this.parser);
      if (i >= online) await command(socket, 'agent:setStatus', { status: 'away' });
      this.agents[i] = socket;
    });
    return null;
  }

  /** The agents held away come online together; answers when the first status change was sent (wall clock). */
  async comeOnline(): Promise<{ agents: number; startedAt: number }> {
    const away = this.agents.slice(this.onlineAtStart);
    const startedAt = wallClock();
    // After a burst the server may still be working through it: the status changes wait as long as first messages do.
    await Promise.all(away.map((socket) => command(socket, 'agent:setStatus', { status: 'online' }, BUSY_ACK_TIMEOUT_MS)));
    return { agents: away.length, startedAt };
  }

  /** The conversation change frames and the kilobytes received since the last call, and by how many agents. */
  changeFramesHeard(): ChangeFrames {
    const heard = { frames: this.changeFrames, kilobytes: Math.round(this.received / 1024), agents: this.agents.length };
    this.changeFrames = 0;
    this.received = 0;
    return heard;
  }

  close(): void {
    for (const socket of this.agents) socket.disconnect();
  }
}

/** The visitors of the burst, who time their first messages and hear of their assignments; visitor j connects to urls[j % n]. */
export class BurstVisitors {
  private readonly visitors: Socket[] = [];
  private readonly waiting: Waiting[] = [];
  private positions = 0;
  /** Wall clock of the last assignment heard. */
  private lastAssignedAt = 0;
  private assignedBeforeDrain = 0;

  constructor(
    private readonly urls: string[],
    private readonly site: Site,
  ) {}

  /** Sessions and connections first (not measured), so the burst is the first messages alone. */
  async connectVisitors(count: number): Promise<null> {
    await pool(count, 32, async (j) => {
      const url = this.urls[j % this.urls.length]!;
      const socket = await connectVisitor(url, this.site, await visitorToken(url, this.site));
      socket.on('queue:position', () => this.positions++);
      this.visitors[j] = socket;
    });
    return null;
  }

  /** Every visitor sends its first message, evenly spread over `windowMs`. */
  async fire({ windowMs }: { windowMs: number }): Promise<BurstResult> {
    const start = wallClock() + 20;
    let errors = 0;
    let errorSample: string | undefined;
    this.positions = 0;
    await Promise.all(
      this.visitors.map(async (socket, j) => {
        await sleep(Math.max(0, start + (j / this.visitors.length) * windowMs - wallClock()));
        const entry: Waiting = { sentAt: wallClock() };
        this.waiting[j] = entry;
        this.listenForAssignment(socket, entry);
        try {
          const sent = await sendRetrying(socket, { clientId: nextClientId(), body: 'Is my order on its way?' });
          entry.conversationId = sent.conversation.id;
          if (sent.conversation.assignee) this.assigned(entry);
        } catch (error) {
          errors++;
          errorSample ??= String(error);
        }
      }),
    );
    await this.settle(() => this.waiting.filter((w) => w.assignedAt).length);
    const assigned = this.waiting.filter((w) => w.assignedAt !== undefined);
    const seconds = (this.lastAssignedAt - start) / 1000;
    return {
      visitors: this.visitors.length,
      started: this.waiting.filter((w) => w.conversationId).length,
      assigned: assigned.length,
      errors,
      ...(errorSample ? { errorSample } : {}),
      firstMessageToAssignment: summarize(assigned.map((w) => w.assignedAt! - w.sentAt)),
      assignmentsPerSecond: Math.round(assigned.length / seconds),
      queuePositionEvents: this.positions,
      queuePositionEventsPerSecond: Math.round(this.positions / seconds),
    };
  }

  /** Before the agents held away come online: what is heard from now on is the drain's. */
  watchDrain(): null {
    this.assignedBeforeDrain = this.assignedCount();
    this.positions = 0;
    return null;
  }

  /** The queue drained into the agents who came online at `startedAt` (wall clock): when its visitors heard of it. */
  async drained({ agents, startedAt }: { agents: number; startedAt: number }): Promise<DrainResult> {
    const before = this.assignedBeforeDrain;
    await this.settle(() => this.assignedCount(), before);
    const assigned = this.assignedCount() - before;
    const ms = Math.max(1, this.lastAssignedAt - startedAt);
    return { agents, assigned, ms: Math.round(ms), assignmentsPerSecond: Math.round(assigned / (ms / 1000)), queuePositionEvents: this.positions };
  }

  close(): void {
    for (const socket of this.visitors) socket.disconnect();
  }

  private assignedCount(): number {
    return this.waiting.filter((w) => w.assignedAt !== undefined).length;
  }

  private listenForAssignment(socket: Socket, entry: Waiting): void {
    const listener = (conversation: ConversationDTO) => {
      if (!conversation.assignee || (entry.conversationId && conversation.id !== entry.conversationId)) return;
      socket.off('conversation:updated', listener);
      this.assigned(entry);
    };
    socket.on('conversation:updated', listener);
  }

  private assigned(entry: Waiting): void {
    if (entry.assignedAt !== undefined) return;
    entry.assignedAt = wallClock();
    this.lastAssignedAt = Math.max(this.lastAssignedAt, entry.assignedAt);
  }

  /**
   * Waits until `count()` stops growing for a second (or SETTLE_MS pass). From `heard`: first until it grows past
   * that, so a server still busy when the drain starts is waited for rather than taken for an empty queue.
   */
  private async settle(count: () => number, heard?: number): Promise<void> {
    const deadline = performance.now() + SETTLE_MS;
    while (heard !== undefined && count() === heard && performance.now() < deadline) await sleep(50);
    let last = -1;
    while (performance.now() < deadline && count() !== last) {
      last = count();
      await sleep(1000);
    }
  }
}

/**
 * `count` new visitors one after another, each sending a first message and, at once, a second one without
 * waiting for the first's answer (as a visitor typing two lines quickly): each message's send-to-ack time.
 */
export async function openingMessages(url: string, site: Site, count: number): Promise<OpeningResult> {
  const first: number[] = [];
  const second: number[] = [];
  let split = 0;
  let errors = 0;
  let errorSample: string | undefined;
  for (let i = 0; i < count; i++) {
    const socket = await connectVisitor(url, site, await visitorToken(url, site));
    try {
      const timed = async (body: string, into: number[]) => {
        const sentAt = performance.now();
        const sent = await command<SendResult>(socket, 'message:send', { clientId: nextClientId(), body });
        into.push(performance.now() - sentAt);
        return sent;
      };
      const [a, b] = await Promise.all([timed('Hello', first), timed('I have a question about my order', second)]);
      if (a.conversation.id !== b.conversation.id) split++;
    } catch (error) {
      errors++;
      errorSample ??= String(error);
    } finally {
      socket.disconnect();
    }
  }
  return { conversations: count, split, errors, ...(errorSample ? { errorSample } : {}), first: summarize(first), second: summarize(second) };
}

/** Sends until stored: UNAVAILABLE (the database busy) is retried like the widget's outbox retries it. */
async function sendRetrying(socket: Socket, payload: { clientId: string; body: string }): Promise<SendResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await command<SendResult>(socket, 'message:send', payload, BUSY_ACK_TIMEOUT_MS);
    } catch (error) {
      if (attempt >= RETRIES || !String(error).includes('UNAVAILABLE')) throw error;
      await sleep(RETRY_PAUSE_MS);
    }
  }
}
