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
const SETUP_ACK_TIMEOUT_MS = 60_000;

export interface ParleyTargetOptions {
  /**
   * Every visitor comes from an address of its own, 10.<block>.x.y, sent as X-Forwarded-For to a server that
   * trusts its loopback peer as a proxy (TRUST_PROXY=loopback, as behind nginx): the per-address limits then meet one visitor each, as in
   * production, instead of the bench's one loopback address.
   */
  addressBlock?: number;
}

/** One socket of a ParleyTarget, with what it takes to connect it again elsewhere. */
interface Client {
  socket: Socket;
  kind: Side;
  /** Agent i, visitor j: which node each belongs on (see nodeFor). */
  index: number;
  node: number;
  token: string;
  headers: Record<string, string>;
}

/** Parley, on one node or several: agent i connects to node i, visitor j to node j + 1, so conversations cross nodes. */
export class ParleyTarget implements Target {
  private urls: string[];
  private readonly agents = new Map<string, Client>();
  private readonly visitors: Client[] = [];
  private nextVisitor = 0;

  constructor(
    urls: string | string[],
    private readonly site: Site,
    private readonly agentLogins: Credentials[] = [],
    private readonly options: ParleyTargetOptions = {},
  ) {
    this.urls = typeof urls === 'string' ? [urls] : urls;
  }

  async start(): Promise<void> {
    await pool(this.agentLogins.length, 5, async (index) => {
      const node = this.nodeFor('agent', index);
      const session = await postJson<AgentSession>(`${this.urls[node]}/api/auth/login`, this.agentLogins[index]);
      const client = { kind: 'agent' as const, index, node, token: session.accessToken, headers: {} };
      this.agents.set(session.agent.id, { ...client, socket: await this.connect(client) });
    });
  }

  /** A visitor whose first message starts a conversation. */
  async openConversation(): Promise<{ visitor: Socket; conversation: ConversationDTO }> {
    const index = this.nextVisitor++;
    const node = this.nodeFor('visitor', index);
    const block = this.options.addressBlock;
    const headers: Record<string, string> = block === undefined ? {} : { 'x-forwarded-for': `10.${block}.${(index >> 8) & 255}.${index & 255}` };
    const client = { kind: 'visitor' as const, index, node, token: await visitorToken(this.urls[node]!, this.site, headers), headers };
    const visitor = await this.connect(client);
    this.visitors.push({ ...client, socket: visitor });
    // Setting up, not measured: a first message waits for routing, which a loaded machine (or a cluster's
    // leader, one decision at a time) can take long over.
    const sent = await command<SendResult>(visitor, 'message:send', { clientId: nextClientId(), body: FIRST_MESSAGE }, SETUP_ACK_TIMEOUT_MS);
    return { visitor, conversation: sent.conversation };
  }

  async openPair(): Promise<Pair> {
    const { visitor, conversation } = await this.openConversation();
    const agentId = conversation.assignee?.id ?? (await assignment(visitor, conversation.id));
    const agent = this.agents.get(agentId)?.socket;
    if (!agent) throw new Error(`conversation assigned to an agent the bench did not connect (${agentId})`);
    return { conversationId: conversation.id, visitor, agent };
  }

  send(pair: Pair, from: Side, body: string, clientId: string) {
    return command<SendResult>(pair[from]!, 'message:send', { conversationId: pair.conversationId, clientId, body });
  }

  sockets(): Socket[] {
    return this.clients().map((c) => c.socket);
  }

  /** Conversations whose visitor and agent are connected to different nodes. */
  crossNode(pairs: Pair[]): number {
    const nodeOf = new Map(this.clients().map((c) => [c.socket, c.node]));
    return pairs.filter((p) => p.agent && nodeOf.get(p.visitor) !== nodeOf.get(p.agent)).length;
  }

  /**
   * Moves every agent and visitor to the node it belongs on among `urls` (same sessions, same conversations:
   * a reconnect, as behind a load balancer) and points `pairs` at the new sockets.
   */
  async spread(urls: string[], pairs: Pair[]): Promise<void> {
    this.urls = urls;
    const moved = new Map<Socket, Socket>();
    const clients = this.clients();
    await pool(clients.length, 20, async (i) => {
      const client = clients[i]!;
      const node = this.nodeFor(client.kind, client.index);
      if (node === client.node) return;
      const socket = await this.connect({ ...client, node });
      moved.set(client.socket, socket);
      client.socket.disconnect();
      Object.assign(client, { socket, node });
    });
    for (const pair of pairs) {
      pair.visitor = moved.get(pair.visitor) ?? pair.visitor;
      if (pair.agent) pair.agent = moved.get(pair.agent) ?? pair.agent;
    }
  }

  private nodeFor(kind: Side, index: number): number {
    return (kind === 'agent' ? index : index + 1) % this.urls.length;
  }

  private connect(client: Omit<Client, 'socket'>): Promise<Socket> {
    const url = this.urls[client.node]!;
    return client.kind === 'agent'
      ? connect(`${url}/agent`, { token: client.token }, url)
      : connectVisitor(url, this.site, client.token, client.headers);
  }

  private clients(): Client[] {
    return [...this.agents.values(), ...this.visitors];
  }
}

/** A visitor token, as the loader gets one: POST /api/widget/session from a page of the site. */
export async function visitorToken(url: string, site: Site, headers: Record<string, string> = {}): Promise<string> {
  return (await postJson<VisitorSessionResponse>(`${url}/api/widget/session`, { siteKey: site.key }, { ...headers, origin: site.origin })).token;
}

export const connectVisitor = (url: string, site: Site, token: string, headers: Record<string, string> = {}) => connect(`${url}/visitor`, { token }, site.origin, headers);

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
  return withTimeout(assigned, SETUP_ACK_TIMEOUT_MS, `assignment of ${conversationId}`);
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
