/**
 * The staffing view: from the last four weeks in the database, conversations queued and mean handle time
 * (assignment to resolution) per hour of the week, the agents Erlang C says each hour needs for a service
 * level, and beside them how many agents answered then: Parley keeps no presence history, so "answered" means
 * wrote at least one message in that hour.
 */
import type { StaffingHour, StaffingView } from '../contract/admin.ts';
import type { Clock } from '../domain/clock.ts';
import { agentsNeeded } from '../domain/erlang-c.ts';
import type { ReportStore } from './ports.ts';
import { canonicalTimeZone } from './reports.ts';

export const STAFFING_WEEKS = 4;
const HOURS_PER_WEEK = 168;
const HOUR_MS = 3_600_000;
const WINDOW_MS = STAFFING_WEEKS * HOURS_PER_WEEK * HOUR_MS;
/** Message bodies read to estimate their mean size. */
const BODY_SAMPLE = 1000;
/**
 * What travels around a body: the Socket.IO frame of a `messages:new` event carrying one message with an empty
 * body (ids are 36-character UUIDs), as JSON.stringify writes it: about 370 bytes.
 */
export const MESSAGE_ENVELOPE_BYTES = new TextEncoder().encode(
  `42/agent,["messages:new",[${JSON.stringify({
    id: '0193a8b2-5c1e-7a4b-9c2d-1e2f3a4b5c6d',
    conversationId: '0193a8b2-5c1e-7a4b-9c2d-1e2f3a4b5c6d',
    seq: 12,
    authorKind: 'visitor',
    authorId: '0193a8b2-5c1e-7a4b-9c2d-1e2f3a4b5c6d',
    authorName: 'Visitor name',
    body: '',
    system: null,
    clientId: '0193a8b2-5c1e-7a4b-9c2d-1e2f3a4b5c6d',
    attachments: [],
    createdAt: '2026-01-01T00:00:00.000Z',
  })}]]`,
).length;

export interface StaffingQuery {
  timezone: string;
  siteId?: string;
  /** Percent of conversations to assign within `seconds`. */
  serviceLevel: number;
  seconds: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The hour of the week (0 = Monday 00:00) of an instant in a zone, and the local hour it falls in. */
function localHour(at: Date, timezone: string): { hourOfWeek: number; slot: string } {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  const hour = Number(parts.hour);
  return { hourOfWeek: WEEKDAYS.indexOf(parts.weekday!) * 24 + hour, slot: `${parts.year}-${parts.month}-${parts.day}T${hour}` };
}

const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function staffingView(reports: ReportStore, clock: Clock, query: StaffingQuery): Promise<StaffingView> {
  // Canonical, so the formatter cache holds one entry per zone however requests spell it.
  const timezone = canonicalTimeZone(query.timezone);
  const to = new Date(clock.now());
  const from = new Date(to.getTime() - WINDOW_MS);
  const site = query.siteId ? { siteId: query.siteId } : {};
  const [conversations, agentMessages, volume] = await Promise.all([
    reports.conversations({ queuedFrom: from, queuedTo: to, ...site }),
    reports.agentMessages({ from, to, ...site }),
    reports.messageVolume({ queuedFrom: from, queuedTo: to, ...site }, BODY_SAMPLE),
  ]);

  const arrivals = new Array<number>(HOURS_PER_WEEK).fill(0);
  const handles = Array.from({ length: HOURS_PER_WEEK }, () => [] as number[]);
  for (const c of conversations) {
    const { hourOfWeek } = localHour(c.queuedAt, timezone);
    arrivals[hourOfWeek]!++;
    if (c.assignedAt && c.resolvedAt) handles[hourOfWeek]!.push(Math.max(0, c.resolvedAt.getTime() - c.assignedAt.getTime()));
  }
  // Distinct agents per local hour, then summed per hour of the week.
  const answeredBySlot = new Map<string, { hourOfWeek: number; agents: Set<string> }>();
  for (const m of agentMessages) {
    const { hourOfWeek, slot } = localHour(m.createdAt, timezone);
    const entry = answeredBySlot.get(slot) ?? { hourOfWeek, agents: new Set<string>() };
    entry.agents.add(m.authorId);
    answeredBySlot.set(slot, entry);
  }
  const answered = new Array<number>(HOURS_PER_WEEK).fill(0);
  for (const { hourOfWeek, agents } of answeredBySlot.values()) answered[hourOfWeek]! += agents.size;

  const overallHandleMs = mean(handles.flat());
  const target = { share: query.serviceLevel / 100, seconds: query.seconds };
  const hours: StaffingHour[] = arrivals.map((count, hourOfWeek) => {
    const handleMs = mean(handles[hourOfWeek]!);
    const handleSeconds = (handleMs ?? overallHandleMs ?? 0) / 1000;
    const perHour = count / STAFFING_WEEKS;
    const needed = perHour === 0 ? 0 : handleSeconds > 0 ? agentsNeeded(perHour / 3600, handleSeconds, target) : null;
    return {
      hourOfWeek,
      arrivals: round(perHour),
      handleMs: handleMs === null ? null : Math.round(handleMs),
      agentsNeeded: needed,
      agentsAnswered: round(answered[hourOfWeek]! / STAFFING_WEEKS),
    };
  });

  const bodyBytes = mean(volume.sampleBodies.map((body) => new TextEncoder().encode(body).length));
  const neededHours = hours.map((h) => h.agentsNeeded).filter((n): n is number => n !== null);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    timezone,
    target: { serviceLevel: query.serviceLevel, seconds: query.seconds },
    totals: {
      conversations: conversations.length,
      arrivalsPerHour: round(conversations.length / (STAFFING_WEEKS * HOURS_PER_WEEK), 4),
      handleMs: overallHandleMs === null ? null : Math.round(overallHandleMs),
      messages: volume.messages,
      messagesPerConversation: conversations.length === 0 ? null : round(volume.messages / conversations.length),
      messageBytes: bodyBytes === null ? null : Math.round(bodyBytes + MESSAGE_ENVELOPE_BYTES),
      peakAgentsNeeded: neededHours.length === 0 ? null : Math.max(...neededHours),
    },
    hours,
  };
}
