/**
 * SocketNotifier over recording stand-ins for the two namespaces: which rooms hear what, that agents who see a
 * whole site get a turn's messages and conversation changes as one batch per site while the others hear only of
 * conversations they may see, and that nothing emitted to agents overtakes a message or change before it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentDTO, ConversationDTO, ConversationSummaryDTO, MessageDTO } from '../../../server/contract/dto.ts';
import { QUEUE_ARRIVALS_EVERY_MS, SocketNotifier, type AgentNamespace, type VisitorNamespace } from '../../../server/realtime/notifier.ts';

interface Emitted {
  room: string;
  except: string | null;
  event: string;
  payload: unknown;
}

interface Joined {
  room: string;
  rooms: string[];
}

/** Rooms joined into one string (' + '), so a union of rooms reads as one recipient; room joins go to `joined`. */
function recordingNamespace(log: Emitted[], joined: Joined[] = []) {
  const names = (rooms: string | string[]) => ([] as string[]).concat(rooms).join(' + ');
  const operator = (room: string, except: string | null) => ({
    to: (more: string | string[]) => operator(`${room} + ${names(more)}`, except),
    except: (rooms: string | string[]) => operator(room, names(rooms)),
    emit: (event: string, payload: unknown) => log.push({ room, except, event, payload }),
  });
  return {
    to: (rooms: string | string[]) => operator(names(rooms), null),
    in: (room: string) => ({
      socketsJoin: (rooms: string[]) => joined.push({ room, rooms }),
      except: (rooms: string | string[]) => ({ ...operator(room, names(rooms)), disconnectSockets: () => {} }),
    }),
  };
}

/** `seenWhole`: the sites the notifier knows every agent sees whole; every other site is not known to. `clustered`: one node of several. */
function setUp(seenWhole: string[] = [], clustered = false) {
  const visitors: Emitted[] = [];
  const agents: Emitted[] = [];
  const visibilityChanges: string[] = [];
  const siteVisibility = {
    peek: (siteId: string) => (seenWhole.includes(siteId) ? true : undefined),
    changed: ({ siteId }: { siteId: string }) => void visibilityChanges.push(siteId),
  };
  const notifier = new SocketNotifier(recordingNamespace(visitors) as unknown as VisitorNamespace, recordingNamespace(agents) as unknown as AgentNamespace, {
    siteVisibility,
    ...(clustered ? { peers: { serverSideEmit: () => true } } : {}),
  });
  return { notifier, visitors, agents, visibilityChanges };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A frame the agents who see the whole site hear: theirs alone, or one the site's every agent hears. */
const toWholeSite = (e: Emitted, siteId = 'site-1') => e.room === `site-all:${siteId}` || (e.room === `site:${siteId}` && e.except === null);

const conversation = (id: string, siteId: string, status: ConversationDTO['status'] = 'active') => ({ id, siteId, visitorId: `v-${id}`, status }) as ConversationDTO;
const summary = (id: string, siteId: string, status: ConversationDTO['status'], lastSeq: number) =>
  ({ id, siteId, visitorId: `v-${id}`, status, assignee: status === 'queued' ? null : { id: 'agent-1' }, lastSeq, visitor: { id: `v-${id}` }, labels: ['vip'] }) as unknown as ConversationSummaryDTO;
const assignment = ({ id, siteId, status, assignee, assignedAt, lastSeq }: ConversationSummaryDTO) => ({ id, siteId, status, assignee, assignedAt, lastSeq });
const message = (id: string, conversationId: string, authorKind: MessageDTO['authorKind'] = 'visitor') => ({ id, conversationId, authorKind }) as MessageDTO;
const systemLine = (id: string, conversationId: string, system: NonNullable<MessageDTO['system']>) => ({ ...message(id, conversationId, 'system'), system }) as MessageDTO;

describe('SocketNotifier', () => {
  it('sends agents who see a whole site the messages of one turn as one batch per site, oldest first', async () => {
    const { notifier, agents } = setUp();
    const a = conversation('a', 'site-1');
    const b = conversation('b', 'site-2');
    notifier.messageCreated(message('m1', 'a'), a);
    notifier.messageCreated(message('m2', 'b'), b);
    notifier.messageCreated(message('m3', 'a'), a);
    expect(agents).toEqual([]);
    await nextTurn();
    const wholeSites = () => agents.filter((e) => e.except === null);
    expect(wholeSites()).toEqual([
      { room: 'site-all:site-1', except: null, event: 'messages:new', payload: [message('m1', 'a'), message('m3', 'a')] },
      { room: 'site-all:site-2', except: null, event: 'messages:new', payload: [message('m2', 'b')] },
    ]);
    notifier.messageCreated(message('m4', 'a'), a);
    await nextTurn();
    expect(wholeSites().slice(2)).toEqual([{ room: 'site-all:site-1', except: null, event: 'messages:new', payload: [message('m4', 'a')] }]);
  });

  it("sends other agents a conversation's messages only if they hold or held it, or while it waits in the queue", async () => {
    const { notifier, agents } = setUp();
    notifier.messageCreated(message('m1', 'a'), conversation('a', 'site-1', 'active'));
    notifier.messageCreated(message('m2', 'q'), conversation('q', 'site-1', 'queued'));
    await nextTurn();
    expect(agents.filter((e) => e.except !== null)).toEqual([
      { room: 'site-all:site-1 + conversation:a', except: 'site-all:site-1', event: 'messages:new', payload: [message('m1', 'a')] },
      { room: 'site-all:site-1 + conversation:q + site:site-1', except: 'site-all:site-1', event: 'messages:new', payload: [message('m2', 'q')] },
    ]);
  });

  it('makes no broadcast beyond the whole-site room where every agent is known to see the whole site', async () => {
    const { notifier, agents } = setUp(['site-1']);
    notifier.messageCreated(message('m1', 'a'), conversation('a', 'site-1', 'active'));
    notifier.messageCreated(message('m2', 'q'), conversation('q', 'site-1', 'queued'));
    notifier.messageCreated(message('m3', 'b'), conversation('b', 'site-2', 'active'));
    await nextTurn();
    notifier.conversationChanged(summary('q', 'site-1', 'queued', 1));
    notifier.conversationChanged(summary('t', 'site-1', 'active', 2), 'transferred');
    notifier.conversationChanged(summary('c', 'site-2', 'active', 3), 'transferred');
    await nextTurn();
    expect(agents.map(({ room, except, event }) => ({ room, except, event }))).toEqual([
      { room: 'site-all:site-1', except: null, event: 'messages:new' },
      { room: 'site-all:site-2', except: null, event: 'messages:new' },
      // site-2's setting is not known (yet): its holders hear as before.
      { room: 'site-all:site-2 + conversation:b', except: 'site-all:site-2', event: 'messages:new' },
      { room: 'site-all:site-1', except: null, event: 'conversations:updated' },
      { room: 'site:site-2', except: null, event: 'conversations:updated' },
      { room: 'conversation:c', except: 'site-all:site-2', event: 'conversations:updated' },
    ]);
  });

  it("forgets what it knew of a site's visibility when told it changed, and ends its agents' sessions", () => {
    const { notifier, agents, visibilityChanges } = setUp(['site-1']);
    notifier.siteVisibilityChanged('site-1');
    expect(visibilityChanges).toEqual(['site-1']);
    expect(agents.map(({ room, except, event }) => ({ room, except, event }))).toEqual([{ room: 'site:site-1', except: 'admins', event: 'session:ended' }]);
  });

  it('sends the visitor each message at once, except to the connection that sent it, and never a note', () => {
    const { notifier, visitors } = setUp();
    const a = conversation('a', 'site-1');
    notifier.messageCreated(message('m1', 'a'), a, { sentFrom: 'socket-1' });
    notifier.messageCreated(message('m2', 'a', 'agent'), a);
    notifier.messageCreated(message('m3', 'a', 'note'), a);
    expect(visitors).toEqual([
      { room: 'visitor:v-a', except: 'socket-1', event: 'message:new', payload: message('m1', 'a') },
      { room: 'visitor:v-a', except: null, event: 'message:new', payload: message('m2', 'a', 'agent') },
    ]);
  });

  it("leaves a conversation's opening message to its summary for agents, and sends it to the visitor's other tabs", async () => {
    const { notifier, agents, visitors } = setUp();
    notifier.messageCreated(message('m1', 'q'), conversation('q', 'site-1', 'queued'), { sentFrom: 'socket-1', opened: true });
    await nextTurn();
    expect(agents).toEqual([]);
    expect(visitors).toEqual([{ room: 'visitor:v-q', except: 'socket-1', event: 'message:new', payload: message('m1', 'q') }]);
  });

  it('lets no later agent event overtake a pending message, and sends it only once', async () => {
    const { notifier, agents } = setUp();
    const a = conversation('a', 'site-1');
    notifier.messageCreated(message('m1', 'a'), a);
    notifier.read(a, 'visitor', 1);
    notifier.typing(a, 'visitor', { conversationId: 'a', typing: false });
    await nextTurn();
    expect(agents.map((e) => e.event)).toEqual(['messages:new', 'messages:new', 'conversation:read', 'typing']);
  });

  it("sends a turn's conversation changes as one frame per room: whole to the whole site, the queue's view to the rest, each holder their own whole", async () => {
    const { notifier, agents, visitors } = setUp();
    const queued = summary('q', 'site-1', 'queued', 1);
    const resolved = summary('r', 'site-1', 'resolved', 4);
    const transferred = summary('a', 'site-1', 'active', 2);
    const elsewhere = summary('e', 'site-2', 'active', 3);
    notifier.conversationChanged(queued);
    notifier.conversationChanged(resolved);
    notifier.conversationChanged(transferred, 'transferred');
    notifier.conversationChanged(elsewhere);
    // Visitors hear of their own at once (of a new holder, with its line: messageCreated); agents on the next turn.
    expect(visitors.map((e) => e.room)).toEqual(['visitor:v-q', 'visitor:v-r', 'visitor:v-e']);
    expect(agents).toEqual([]);
    await nextTurn();
    expect(agents).toEqual([
      { room: 'site-all:site-1', except: null, event: 'conversations:updated', payload: [queued, resolved, assignment(transferred)] },
      { room: 'site:site-1', except: 'site-all:site-1', event: 'conversations:updated', payload: [queued, assignment(resolved), assignment(transferred)] },
      { room: 'conversation:q', except: 'site-all:site-1', event: 'conversations:updated', payload: [queued] },
      { room: 'conversation:r', except: 'site-all:site-1', event: 'conversations:updated', payload: [resolved] },
      { room: 'conversation:a', except: 'site-all:site-1', event: 'conversations:updated', payload: [transferred] },
      { room: 'site-all:site-2', except: null, event: 'conversations:updated', payload: [elsewhere] },
      { room: 'site:site-2', except: 'site-all:site-2', event: 'conversations:updated', payload: [assignment(elsewhere)] },
      { room: 'conversation:e', except: 'site-all:site-2', event: 'conversations:updated', payload: [elsewhere] },
    ]);
    // Of a conversation that left the queue, the rest of the site learns no visitor, text or labels.
    expect(Object.keys(assignment(transferred)).sort()).toEqual(['assignedAt', 'assignee', 'id', 'lastSeq', 'siteId', 'status']);
  });

  it('sends a turn of assignments from the queue (a queue draining) as one frame to the whole site, whose agents all saw them queued', async () => {
    const { notifier, agents } = setUp();
    const first = summary('a', 'site-1', 'active', 2);
    const second = summary('b', 'site-1', 'active', 2);
    notifier.conversationChanged(first, 'assigned');
    notifier.conversationChanged(second, 'assigned');
    await nextTurn();
    expect(agents).toEqual([{ room: 'site:site-1', except: null, event: 'conversations:updated', payload: [assignment(first), assignment(second)] }]);
  });

  it("tells agents of an arrival once routing decided: all who see the queue when it waits, and its holder and the whole site when it was assigned on arrival", async () => {
    const { notifier, agents, visitors } = setUp();
    const arriving = summary('q', 'site-1', 'queued', 1);
    const taken = summary('t', 'site-1', 'queued', 1);
    const requeued = summary('r', 'site-1', 'queued', 5);
    notifier.conversationQueued(arriving);
    notifier.conversationQueued(taken);
    notifier.conversationQueued(requeued);
    expect(visitors.map((e) => [e.room, e.event])).toEqual([
      ['visitor:v-q', 'conversation:updated'],
      ['visitor:v-t', 'conversation:updated'],
      ['visitor:v-r', 'conversation:updated'],
    ]);
    await nextTurn();
    // Only those who held the requeued one before hear of it before routing decides.
    expect(agents.splice(0)).toEqual([{ room: 'conversation:r', except: 'site-all:site-1', event: 'conversations:updated', payload: [requeued] }]);

    const assigned = summary('t', 'site-1', 'active', 2);
    notifier.conversationChanged(assigned, 'assignedOnArrival');
    notifier.conversationsWaiting([arriving]);
    await nextTurn();
    expect(agents.splice(0)).toEqual([
      { room: 'site-all:site-1', except: null, event: 'conversations:updated', payload: [assigned, arriving] },
      { room: 'site:site-1', except: 'site-all:site-1', event: 'conversations:updated', payload: [arriving] },
      { room: 'conversation:t', except: 'site-all:site-1', event: 'conversations:updated', payload: [assigned] },
    ]);
    // Routing's word that they wait, or who holds them, is no news to their visitors.
    expect(visitors).toHaveLength(3);

    vi.useFakeTimers({ now: Date.now() + QUEUE_ARRIVALS_EVERY_MS });
    try {
      // Conversations left waiting, alone: one frame that every agent of the site hears.
      notifier.conversationsWaiting([requeued]);
      vi.advanceTimersByTime(1);
      expect(agents).toEqual([{ room: 'site:site-1', except: null, event: 'conversations:updated', payload: [requeued] }]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('makes no broadcast of waiting conversations beyond the whole-site room where every agent is known to see the whole site', async () => {
    const { notifier, agents } = setUp(['site-1']);
    const waiting = summary('q', 'site-1', 'queued', 1);
    notifier.conversationsWaiting([waiting]);
    await nextTurn();
    expect(agents).toEqual([{ room: 'site-all:site-1', except: null, event: 'conversations:updated', payload: [waiting] }]);
  });

  it("has each new holder join their conversations' rooms once per turn, before anything of the turn is sent", async () => {
    const joined: Joined[] = [];
    const agentLog: Emitted[] = [];
    const notifier = new SocketNotifier(recordingNamespace([]) as unknown as VisitorNamespace, recordingNamespace(agentLog, joined) as unknown as AgentNamespace);
    notifier.messageCreated(systemLine('m1', 'a', { type: 'transferred', fromAgentId: 'w', agentId: 'x', agentName: 'X' }), conversation('a', 'site-1'));
    notifier.messageCreated(systemLine('m2', 'b', { type: 'transferred', fromAgentId: 'w', agentId: 'x', agentName: 'X' }), conversation('b', 'site-1'));
    expect(joined).toEqual([]);
    notifier.typing(conversation('a', 'site-1'), 'visitor', { conversationId: 'a', typing: true });
    expect(joined).toEqual([{ room: 'agent:x', rooms: ['conversation:a', 'conversation:b'] }]);
    expect(agentLog.map((e) => e.event)).toEqual(['messages:new', 'messages:new', 'messages:new', 'typing']);
  });

  it("leaves an assignment from the queue to its conversation change for agents, yet sends the visitor its line and has the holder join", async () => {
    const joined: Joined[] = [];
    const agentLog: Emitted[] = [];
    const visitorLog: Emitted[] = [];
    const notifier = new SocketNotifier(recordingNamespace(visitorLog) as unknown as VisitorNamespace, recordingNamespace(agentLog, joined) as unknown as AgentNamespace);
    const assigned = systemLine('m1', 'a', { type: 'assigned', agentId: 'x', agentName: 'X' });
    const resolved = systemLine('m2', 'b', { type: 'resolved', byAgentId: 'y' });
    notifier.messageCreated(assigned, conversation('a', 'site-1'));
    await nextTurn();
    expect(joined).toEqual([{ room: 'agent:x', rooms: ['conversation:a'] }]);
    notifier.messageCreated(resolved, conversation('b', 'site-1'));
    await nextTurn();
    expect(visitorLog.map((e) => e.event)).toEqual(['message:new', 'conversation:updated', 'message:new']);
    expect(visitorLog.filter((e) => e.event === 'message:new').map((e) => e.payload)).toEqual([assigned, resolved]);
    expect(agentLog.filter((e) => e.except === null)).toEqual([{ room: 'site-all:site-1', except: null, event: 'messages:new', payload: [resolved] }]);
    expect(agentLog.flatMap((e) => e.payload as MessageDTO[])).not.toContainEqual(assigned);
  });

  it('tells the visitor of a new holder with the line that names them, as committed, and not again with the change that follows', async () => {
    const { notifier, visitors } = setUp();
    const committed = { ...conversation('a', 'site-1'), assignee: { id: 'x', name: 'X', avatarUrl: null, email: 'x@example.com' }, lastSeq: 2, labels: ['vip'] };
    const visitorView = { id: 'a', siteId: 'site-1', visitorId: 'v-a', status: 'active', assignee: { id: 'x', name: 'X', avatarUrl: null }, lastSeq: 2 };
    const line = systemLine('m1', 'a', { type: 'assigned', agentId: 'x', agentName: 'X' });
    notifier.messageCreated(line, committed as unknown as ConversationDTO);
    expect(visitors).toEqual([
      { room: 'visitor:v-a', except: null, event: 'message:new', payload: line },
      { room: 'visitor:v-a', except: null, event: 'conversation:updated', payload: expect.objectContaining(visitorView) },
    ]);
    expect(visitors[1]!.payload).not.toHaveProperty('labels');
    notifier.conversationChanged(summary('a', 'site-1', 'active', 2), 'assigned');
    notifier.messageCreated(systemLine('m2', 'a', { type: 'transferred', fromAgentId: 'x', agentId: 'y', agentName: 'Y' }), conversation('a', 'site-1'));
    notifier.conversationChanged(summary('a', 'site-1', 'active', 3), 'transferred');
    expect(visitors.map((e) => e.event)).toEqual(['message:new', 'conversation:updated', 'message:new', 'conversation:updated']);
    // Lines that name no new holder leave the visitor's view to the change after them.
    notifier.messageCreated(systemLine('m3', 'a', { type: 'resolved', byAgentId: 'y' }), conversation('a', 'site-1', 'resolved'));
    notifier.conversationChanged(summary('a', 'site-1', 'resolved', 4));
    expect(visitors.slice(4).map((e) => e.event)).toEqual(['message:new', 'conversation:updated']);
    await nextTurn();
  });

  it("sends a turn's agent changes as one frame per room: whole to admins, without emails to colleagues, then each their own whole", async () => {
    const { notifier, agents } = setUp();
    const agent = (id: string, status: AgentDTO['status'], load: number) => ({ id, email: `${id}@example.com`, name: id, status, load }) as AgentDTO;
    notifier.agentChanged(agent('x', 'online', 0), ['site-1']);
    notifier.agentChanged(agent('y', 'online', 1), ['site-1']);
    notifier.agentChanged(agent('z', 'online', 1), ['site-1', 'site-2']);
    notifier.agentChanged(agent('x', 'online', 2), ['site-1']);
    expect(agents).toEqual([]);
    await nextTurn();
    const { email: _email, ...yWithout } = agent('y', 'online', 1);
    const { email: _email2, ...xWithout } = agent('x', 'online', 2);
    const { email: _email3, ...zWithout } = agent('z', 'online', 1);
    expect(agents).toEqual([
      { room: 'admins', except: null, event: 'agents:updated', payload: [agent('y', 'online', 1), agent('z', 'online', 1), agent('x', 'online', 2)] },
      { room: 'site:site-1', except: 'admins', event: 'agents:updated', payload: [yWithout, xWithout] },
      { room: 'site:site-1 + site:site-2', except: 'admins', event: 'agents:updated', payload: [zWithout] },
      { room: 'agent:y', except: 'admins', event: 'agents:updated', payload: [agent('y', 'online', 1)] },
      { room: 'agent:z', except: 'admins', event: 'agents:updated', payload: [agent('z', 'online', 1)] },
      { room: 'agent:x', except: 'admins', event: 'agents:updated', payload: [agent('x', 'online', 2)] },
    ]);
  });

  it('keeps messages and conversation changes in the order they happened, batching each run of one kind', async () => {
    const { notifier, agents } = setUp();
    const a = conversation('a', 'site-1');
    notifier.messageCreated(message('m1', 'a'), a);
    notifier.messageCreated(message('m2', 'a'), a);
    notifier.conversationChanged(summary('a', 'site-1', 'active', 2));
    notifier.conversationChanged(summary('b', 'site-1', 'active', 1));
    notifier.messageCreated(message('m3', 'a'), a);
    notifier.conversationChanged(summary('a', 'site-1', 'resolved', 3));
    notifier.read(a, 'agent', 3);
    await nextTurn();
    const wholeSite = agents.filter((e) => e.room === 'site-all:site-1' || e.event === 'conversation:read');
    expect(wholeSite.map((e) => [e.event, Array.isArray(e.payload) ? e.payload.length : 'one'])).toEqual([
      ['messages:new', 2],
      ['conversations:updated', 2],
      ['messages:new', 1],
      ['conversations:updated', 1],
      ['conversation:read', 'one'],
    ]);
  });
});

describe("SocketNotifier: a queue's arrivals while more keep coming", () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  /** A notifier that sent site-1's arrival 'a' on its turn, and holds 'b', which came on the next. */
  const withArrivalHeld = () => {
    const sides = setUp();
    sides.notifier.conversationChanged(summary('a', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(1);
    sides.notifier.conversationChanged(summary('b', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(1);
    return sides;
  };

  /** What the site's agents who see it whole heard, as the ids of each frame's conversations. */
  const wholeSiteFrames = (agents: Emitted[]) => agents.filter((e) => toWholeSite(e)).map((e) => [e.event, (e.payload as { id: string }[]).map((c) => c.id)]);

  it('sends the first arrival after a quiet spell on the next turn, and those that follow within the interval together when it ends', () => {
    const { notifier, agents, visitors } = setUp();
    notifier.conversationChanged(summary('a', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(1);
    expect(wholeSiteFrames(agents)).toEqual([['conversations:updated', ['a']]]);
    notifier.conversationChanged(summary('b', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(50);
    notifier.conversationChanged(summary('c', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(QUEUE_ARRIVALS_EVERY_MS - 52);
    expect(wholeSiteFrames(agents)).toHaveLength(1);
    // Visitors are never held.
    expect(visitors.map((e) => e.room)).toEqual(['visitor:v-a', 'visitor:v-b', 'visitor:v-c']);
    vi.advanceTimersByTime(1);
    expect(wholeSiteFrames(agents)).toEqual([
      ['conversations:updated', ['a']],
      ['conversations:updated', ['b', 'c']],
    ]);
    expect(agents.filter((e) => e.room === 'site:site-1').map((e) => (e.payload as { id: string }[]).map((c) => c.id))).toEqual([['a'], ['b', 'c']]);
    // After a quiet spell, the next goes at once again.
    vi.advanceTimersByTime(QUEUE_ARRIVALS_EVERY_MS);
    notifier.conversationChanged(summary('d', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(1);
    expect(wholeSiteFrames(agents).at(-1)).toEqual(['conversations:updated', ['d']]);
  });

  it('sends a new conversation routing left waiting on the next turn: its arrival, which no agent hears of, holds nothing', () => {
    const { notifier, agents } = setUp();
    const arriving = summary('a', 'site-1', 'queued', 1);
    notifier.conversationQueued(arriving);
    vi.advanceTimersByTime(1);
    expect(agents).toEqual([]);
    notifier.conversationsWaiting([arriving]);
    vi.advanceTimersByTime(1);
    expect(wholeSiteFrames(agents)).toEqual([['conversations:updated', ['a']]]);
  });

  it('lets any other change of the site take the held arrivals along at once, in the order they happened', () => {
    const { notifier, agents } = withArrivalHeld();
    notifier.conversationChanged(summary('b', 'site-1', 'active', 2), 'assigned');
    vi.advanceTimersByTime(1);
    expect(wholeSiteFrames(agents)).toEqual([
      ['conversations:updated', ['a']],
      ['conversations:updated', ['b', 'b']],
    ]);
  });

  it('sends held arrivals before any later message or other event for agents', () => {
    const { notifier, agents } = withArrivalHeld();
    notifier.messageCreated(message('m2', 'b'), conversation('b', 'site-1', 'queued'));
    vi.advanceTimersByTime(1);
    notifier.conversationChanged(summary('c', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(1);
    notifier.typing(conversation('c', 'site-1', 'queued'), 'visitor', { conversationId: 'c', typing: true });
    expect(agents.filter((e) => toWholeSite(e) || e.event === 'typing').map((e) => e.event)).toEqual([
      'conversations:updated',
      'conversations:updated',
      'messages:new',
      'conversations:updated',
      'typing',
    ]);
  });

  it("releases each site's arrivals when its own wait ends, though another site's ends later", () => {
    const { notifier, agents } = setUp();
    const sent = () => agents.filter((e) => toWholeSite(e, 'site-1') || toWholeSite(e, 'site-2')).map((e) => (e.payload as { id: string }[]).map((c) => c.id).join());
    notifier.conversationChanged(summary('a', 'site-2', 'queued', 1));
    vi.advanceTimersByTime(100);
    notifier.conversationChanged(summary('b', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(50);
    // Both sites hold their next arrival: site-2's until 200 ms, site-1's until 300 ms.
    notifier.conversationChanged(summary('c', 'site-1', 'queued', 1));
    vi.advanceTimersByTime(10);
    notifier.conversationChanged(summary('d', 'site-2', 'queued', 1));
    vi.advanceTimersByTime(QUEUE_ARRIVALS_EVERY_MS - 161);
    expect(sent()).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1);
    expect(sent()).toEqual(['a', 'b', 'd']);
    vi.advanceTimersByTime(QUEUE_ARRIVALS_EVERY_MS / 2);
    expect(sent()).toEqual(['a', 'b', 'd', 'c']);
  });

  it("holds one site's arrivals without holding another's", () => {
    const { notifier, agents } = withArrivalHeld();
    notifier.conversationChanged(summary('e', 'site-2', 'queued', 1));
    vi.advanceTimersByTime(1);
    expect(agents.filter((e) => toWholeSite(e, 'site-1') || toWholeSite(e, 'site-2')).map((e) => [e.room, (e.payload as { id: string }[]).map((c) => c.id)])).toEqual([
      ['site:site-1', ['a']],
      ['site:site-2', ['e']],
    ]);
  });
});
