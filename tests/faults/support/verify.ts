/**
 * The verdict of a fault test: every message a client was told is stored is in the database exactly once,
 * in the order its client sent it, and in the transcript of both sides (visitor and assigned agent; notes
 * only the agent's); every side's transcript equals the database, and so does its history fetched from
 * scratch. The database is read directly (better-sqlite3), not through the server.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { MessageDTO } from '../../../server/contract/dto.ts';
import type { OutgoingMessage, ResilientClient } from '../../support/resilient-client.ts';
import { everyone, type Crowd } from './traffic.ts';

const RESULTS_FILE = 'test-results/faults.log';
const PROBLEMS_SHOWN = 20;

interface MessageRow {
  id: string;
  conversationId: string;
  seq: number;
  authorKind: string;
  clientId: string | null;
}

interface ConversationRow {
  id: string;
  visitorId: string;
  assigneeId: string | null;
  status: string;
  lastSeq: number;
}

export interface DbSnapshot {
  conversations: ConversationRow[];
  /** By conversation, in seq order. */
  messages: Map<string, MessageRow[]>;
  byClientId: Map<string, MessageRow[]>;
}

export interface Figures {
  sent: number;
  acknowledged: number;
  /** Stored and in the transcript of every side that should see it. */
  delivered: number;
  /** Acknowledged, yet missing from the database or from a side's transcript. */
  lost: number;
  /** Extra stored copies of one clientId. */
  duplicated: number;
  /** Still unsent after the settle phase. */
  pending: number;
  /** Given up: refused by the server, or out of attempts. */
  refused: number;
  /** Stored in another order than the client sent them. */
  reordered: number;
  problems: string[];
}

export function readDatabase(file: string): DbSnapshot {
  const db = new Database(file, { fileMustExist: true });
  try {
    const conversations = db.prepare('SELECT id, visitorId, assigneeId, status, lastSeq FROM Conversation').all() as ConversationRow[];
    const rows = db
      .prepare('SELECT id, conversationId, seq, authorKind, clientId FROM Message ORDER BY conversationId, seq')
      .all() as MessageRow[];
    return { conversations, messages: groupBy(rows, (r) => r.conversationId), byClientId: groupBy(rows, (r) => r.clientId) };
  } finally {
    db.close();
  }
}

/** Call right after readDatabase: the transcripts are compared before anything else can arrive. */
export async function verify(db: DbSnapshot, crowd: Crowd): Promise<Figures> {
  const figures: Figures = { sent: 0, acknowledged: 0, delivered: 0, lost: 0, duplicated: 0, pending: 0, refused: 0, reordered: 0, problems: [] };
  const parties = new Parties(db, crowd);
  checkSequences(db, figures);
  for (const client of everyone(crowd)) checkSent(client, db, parties, figures);
  const views = db.conversations.flatMap((conversation) =>
    parties.of(conversation).map(({ client, seesNotes }) => ({
      client,
      conversationId: conversation.id,
      name: `${client.options.name} in ${conversation.id}`,
      expected: (db.messages.get(conversation.id) ?? []).filter((r) => seesNotes || r.authorKind !== 'note'),
    })),
  );
  for (const { client, conversationId, name, expected } of views) {
    const transcript = client.transcripts.get(conversationId);
    figures.problems.push(...compare(`${name} (transcript)`, transcript ? transcript.ordered() : [], expected));
    figures.problems.push(...(transcript?.conflicts ?? []).map((c) => `${name}: ${c}`));
  }
  for (const { client, conversationId, name, expected } of views) {
    figures.problems.push(...compare(`${name} (history from scratch)`, await client.fetchAll(conversationId), expected));
  }
  return figures;
}

/** Each conversation's sides among the test's clients: its visitor, and the agent it is assigned to. */
class Parties {
  private readonly visitors: Map<string, ResilientClient>;
  private readonly agents: Map<string, ResilientClient>;
  private readonly conversations: Map<string, ConversationRow>;

  constructor(db: DbSnapshot, crowd: Crowd) {
    this.visitors = new Map(crowd.visitors.map((v) => [v.visitorId, v]));
    this.agents = new Map(crowd.agents.map((a) => [a.agentId, a]));
    this.conversations = new Map(db.conversations.map((c) => [c.id, c]));
  }

  of(conversation: ConversationRow | string): { client: ResilientClient; seesNotes: boolean }[] {
    const c = typeof conversation === 'string' ? this.conversations.get(conversation) : conversation;
    if (!c) return [];
    const visitor = this.visitors.get(c.visitorId);
    const agent = c.assigneeId ? this.agents.get(c.assigneeId) : undefined;
    return [...(visitor ? [{ client: visitor, seesNotes: false }] : []), ...(agent ? [{ client: agent, seesNotes: true }] : [])];
  }
}

function checkSequences(db: DbSnapshot, figures: Figures): void {
  for (const conversation of db.conversations) {
    const seqs = (db.messages.get(conversation.id) ?? []).map((r) => r.seq);
    const contiguous = seqs.every((seq, i) => seq === i + 1) && seqs.length === conversation.lastSeq;
    if (!contiguous) figures.problems.push(`database ${conversation.id}: seqs ${seqs.join(',')} but lastSeq ${conversation.lastSeq}`);
  }
}

function checkSent(client: ResilientClient, db: DbSnapshot, parties: Parties, figures: Figures): void {
  const name = client.options.name;
  const seqsByConversation = new Map<string, number[]>();
  for (const message of client.sent.values()) {
    figures.sent++;
    const rows = db.byClientId.get(message.clientId) ?? [];
    if (rows.length > 1) {
      figures.duplicated += rows.length - 1;
      figures.problems.push(`${name} ${message.clientId} stored ${rows.length} times: ${rows.map((r) => `${r.conversationId}#${r.seq}`).join(', ')}`);
    }
    if (message.state === 'pending') figures.pending++;
    if (message.state === 'refused' || message.state === 'abandoned') {
      figures.refused++;
      figures.problems.push(`${name} ${message.clientId} ${message.state}: ${message.refusal?.code} ${message.refusal?.message}`);
    }
    const acked = message.state === 'acked';
    if (acked) figures.acknowledged++;
    const row = rows[0];
    if (!row) {
      if (acked) lose(figures, `${name} ${message.clientId} acknowledged as ${message.stored?.id} but not in the database`);
      continue;
    }
    if (message.stored && message.stored.id !== row.id) figures.problems.push(`${name} ${message.clientId}: ack named ${message.stored.id}, stored ${row.id}`);
    const missing = parties.of(row.conversationId).filter(({ client: side, seesNotes }) => {
      const has = side.transcripts.get(row.conversationId)?.bySeq.get(row.seq)?.id === row.id;
      return row.authorKind === 'note' && !seesNotes ? has : !has; // a visitor must not have a note
    });
    if (missing.length === 0) figures.delivered++;
    else if (acked) lose(figures, `${name} ${row.conversationId}#${row.seq} (${row.authorKind}${attemptsOf(message)}) wrong at ${missing.map((m) => m.client.options.name).join(', ')}`);
    if (!seqsByConversation.has(row.conversationId)) seqsByConversation.set(row.conversationId, []);
    seqsByConversation.get(row.conversationId)!.push(row.seq);
  }
  for (const [conversationId, seqs] of seqsByConversation) {
    if (seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]!)) continue;
    figures.reordered++;
    figures.problems.push(`${name} ${conversationId}: sent in one order, stored as seqs ${seqs.join(',')}`);
  }
}

/** ", sent 3 times: INTERNAL, TIMEOUT" when it took more than one attempt. */
function attemptsOf(message: OutgoingMessage): string {
  return message.attempts > 1 ? `, sent ${message.attempts} times: ${message.failures.join(', ')}` : '';
}

function lose(figures: Figures, problem: string): void {
  figures.lost++;
  figures.problems.push(problem);
}

/** What differs between a side's view of a conversation and the database rows it should see. */
function compare(name: string, seen: MessageDTO[], expected: MessageRow[]): string[] {
  const bySeq = new Map(seen.map((m) => [m.seq, m]));
  const wanted = new Set(expected.map((r) => r.seq));
  const missing = expected.filter((r) => !bySeq.has(r.seq)).map((r) => r.seq);
  const differing = expected.filter((r) => bySeq.has(r.seq) && bySeq.get(r.seq)!.id !== r.id).map((r) => r.seq);
  const extra = seen.filter((m) => !wanted.has(m.seq)).map((m) => m.seq);
  const order = seen.every((m, i) => i === 0 || m.seq > seen[i - 1]!.seq);
  const parts = [
    missing.length && `misses seqs ${missing.join(',')}`,
    differing.length && `differs at seqs ${differing.join(',')}`,
    extra.length && `has extra seqs ${extra.join(',')}`,
    !order && 'is out of order',
  ].filter(Boolean);
  return parts.length ? [`${name} ${parts.join('; ')}`] : [];
}

function groupBy<T, K>(items: T[], key: (item: T) => K | null): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Prints the scenario's line (and keeps it in test-results/faults.log). */
export function report(scenario: string, figures: Figures, details: Record<string, unknown>): void {
  const { sent, acknowledged, delivered, lost, duplicated, pending, refused, reordered, problems } = figures;
  publish(
    scenario,
    `sent ${sent}, acknowledged ${acknowledged}, delivered ${delivered}, lost ${lost}, duplicated ${duplicated}` +
      ` | pending ${pending}, refused ${refused}, reordered ${reordered}, problems ${problems.length} | ${describe(details)}`,
    problems,
  );
}

export function describe(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

export function publish(scenario: string, text: string, problems: string[] = []): void {
  const line = `[faults] ${scenario}: ${text}`;
  const shown = problems.slice(0, PROBLEMS_SHOWN).map((p) => `\n    ${p}`).join('');
  console.log(line + shown);
  mkdirSync('test-results', { recursive: true });
  appendFileSync(RESULTS_FILE, `${new Date().toISOString()} ${line}${shown}\n`);
}

export function expectClean(figures: Figures): void {
  const { lost, duplicated, pending, refused, reordered } = figures;
  expect({ lost, duplicated, pending, refused, reordered, problems: figures.problems.slice(0, PROBLEMS_SHOWN) }).toEqual({
    lost: 0,
    duplicated: 0,
    pending: 0,
    refused: 0,
    reordered: 0,
    problems: [],
  });
  expect(figures.delivered).toBe(figures.sent);
}
