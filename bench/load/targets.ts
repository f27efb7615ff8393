/**
 * The two servers the load generator drives with the same pattern: Parley (sessions, logins, routing,
 * persistence) and the bare relay. A Pair is one conversation: its visitor socket and its agent's socket.
 */
import type { Socket } from 'socket.io-client';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { SendResult } from '../../server/contract/events.ts';
import type { AgentSession, VisitorSessionResponse } from '../../server/contract/http.ts';
import type { Credentials, Site } from '../setup.ts';
import { pool, withTimeout } from '../stats.ts';
import { postJson } from '../http.ts';
import { command, connect, nextClientId } from './sockets.ts';

export type Side = 'visitor' | 'agent';

export interface Pair {
  conversationId: string;
  visitor: Socket;
  /** Null for a conversation nobody serves (the write-path probe). */
  agent: Socket | null;
}

export interface Target {
  /** Connects the agents. */
  start(): Promise<void>;
  openPair(index: number): Promise<Pair>;
  /** Resolves on the server's ack. */
  send(pair: Pair, from: Side, body: string, clientId: string): Promise<unknown>;
  sockets(): Socket[];
}

const FIRST_MESSAGE = 'Hello, I have a question about my order';

export class ParleyTarget implements Target {
  private readonly agents = new Map<string, Socket>();
  private readonly visitors: Socket[] = [];

  constructor(
    private readonly url: string,
    private readonly site: Site,
    private readonly agentLogins: Credentials[] = [],
  ) {}

  async start(): Promise<void> {
    await pool(this.agentLogins.length, 5, async (i) => {
      const session = await postJson<AgentSession>(`${this.url}/api/auth/login`, this.agentLogins[i]);
      this.agents.set(session.agent.id, await connect(`${this.url}/agent`, { token: session.accessToken }, this.url));
    });
  }

  /** A visitor whose first message starts a conversation. */
  async openConversation(): Promise<{ visitor: Socket; conversation: ConversationDTO }> {
    const visitor = await connectVisitor(this.url, this.site, await visitorToken(this.url, this.site));
    this.visitors.push(visitor);
    const sent = await command<SendResult>(visitor, 'message:send', { clientId: nextClientId(), body: FIRST_MESSAGE });
    return { visitor, conversation: sent.conversation };
  }

  async openPair(): Promise<Pair> {
    const { visitor, conversation } = await this.openConversation();
    const agentId = conversation.assignee?.id ?? (await assignment(visitor, conversation.id));
    const agent = this.agents.get(agentId);
    if (!agent) throw new Error(`conversation assigned to an agent the bench did not connect (${agentId})`);
    return { conversationId: conversation.id, visitor, agent };
  }

  send(pair: Pair, from: Side, body: string, clientId: string) {
    return command<SendResult>(pair[from]!, 'message:send', { conversationId: pair.conversationId, clientId, body });
  }

  sockets(): Socket[] {
    return [...this.agents.values(), ...this.visitors];
  }
}

/** A visitor token, as the loader gets one: POST /api/widget/session from a page of the site. */
export async function visitorToken(url: string, site: Site): Promise<string> {
  return (await postJson<VisitorSessionResponse>(`${url}/api/widget/session`, { siteKey: site.key }, { origin: site.origin })).token;
}

export const connectVisitor = (url: string, site: Site, token: string) => connect(`${url}/visitor`, { token }, site.origin);

/** Routing assigns at once when an agent has room; otherwise the visitor hears of it. */
function assignment(visitor: Socket, conversationId: string): Promise<string> {
  const assigned = new Promise<string>((resolve) => {
    const listener = (conversation: ConversationDTO) => {
      if (conversation.id !== conversationId || !conversation.assignee) return;
      visitor.off('conversation:updated', listener);
      resolve(conversation.assignee.id);
    };
    visitor.on('conversation:updated', listener);
  });
  return withTimeout(assigned, 10_000, `assignment of ${conversationId}`);
}

export class BareTarget implements Target {
  private agents: Socket[] = [];
  private readonly visitors: Socket[] = [];

  constructor(
    private readonly url: string,
    private readonly agentCount: number,
  ) {}

  async start(): Promise<void> {
    this.agents = await Promise.all(Array.from({ length: this.agentCount }, () => connect(`${this.url}/agent`, {}, this.url)));
  }

  async openPair(index: number): Promise<Pair> {
    const conversationId = `c${index}`;
    const agent = this.agents[index % this.agents.length]!;
    await command(agent, 'join', conversationId);
    const visitor = await connect(`${this.url}/visitor`, { conversationId }, this.url);
    this.visitors.push(visitor);
    await command(visitor, 'message:send', { clientId: nextClientId(), body: FIRST_MESSAGE });
    return { conversationId, visitor, agent };
  }

  send(pair: Pair, from: Side, body: string, clientId: string) {
    return command(pair[from]!, 'message:send', { conversationId: pair.conversationId, clientId, body });
  }

  sockets(): Socket[] {
    return [...this.agents, ...this.visitors];
  }
}
