/**
 * The AI bot: answers a visitor from this site's published articles through any OpenAI-compatible server, or
 * hands off. Retrieval comes first; when no article matches, a person takes over without asking the model. The
 * model sees only the articles retrieved for this site and this conversation's messages (see prompt.ts), and
 * every way it can fail (down, slow, stalled, endless, malformed, empty) becomes a handoff, so the visitor is
 * never left waiting on a bot. Only the caller's own abort is thrown.
 */
import type { Clock } from '../../domain/clock.ts';
import type { Logger } from '../../app/logger.ts';
import type { OpenAiBotConfig as StoredOpenAiBotConfig } from '../../contract/bots.ts';
import type { ArticleHit, ArticleSearch, BotResponder, BotTurnContext, BotTurnInput, BotTurnResult, BotUsage, HandoffReason } from '../ports.ts';
import { ChatCompletionError, DEFAULT_CHAT_LIMITS, streamChat, type ChatLimits, type ChatResult } from './chat-completions.ts';
import { mapCitations } from './citations.ts';
import { buildPrompt, DEFAULT_PROMPT_BUDGET, HANDOFF_MARKER, HANDOFF_TOOL, HANDOFF_TOOL_NAME, type HandoffSignal, type PromptBudget } from './prompt.ts';

/** What an admin sets for an AI bot (server/contract/bots.ts), with the bot's timeout. */
export interface OpenAiBotConfig extends Omit<StoredOpenAiBotConfig, 'apiKey'> {
  apiKey?: string | null;
  /** The longest one answer may take, retrieval to last token, in milliseconds. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface OpenAiResponderOptions {
  /** Articles given to the model at most. */
  topK: number;
  /** An article counts as covering the question only when its search score is above this. */
  minScore: number;
  /** The least time between two partial replies passed on as typing. */
  partialIntervalMs: number;
  limits: ChatLimits;
  budget: PromptBudget;
}

export const DEFAULT_RESPONDER_OPTIONS: OpenAiResponderOptions = {
  topK: 4,
  minScore: 0,
  partialIntervalMs: 150,
  limits: DEFAULT_CHAT_LIMITS,
  budget: DEFAULT_PROMPT_BUDGET,
};

export interface OpenAiResponderDeps {
  clock: Clock;
  log: Logger;
  options?: Partial<OpenAiResponderOptions>;
}

/** Earlier visitor messages added to the search, so "and how much is it?" still finds the article asked about. */
const CONTEXT_MESSAGES = 2;
const MAX_QUERY_CHARS = 500;

type Handoff = Extract<BotTurnResult, { kind: 'handoff' }>;

export function createOpenAiResponder(config: OpenAiBotConfig, articleSearch: ArticleSearch, deps: OpenAiResponderDeps): BotResponder {
  const options = { ...DEFAULT_RESPONDER_OPTIONS, ...deps.options };
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = { baseUrl: config.baseUrl, model: config.model, apiKey: config.apiKey };

  async function retrieve(input: BotTurnInput): Promise<ArticleHit[]> {
    const earlier = input.transcript
      .filter((line) => line.author === 'visitor' && line.text !== input.latest)
      .slice(-CONTEXT_MESSAGES)
      .map((line) => line.text);
    const queries = [input.latest, ...(earlier.length ? [[...earlier, input.latest].join(' ')] : [])];
    const found = new Map<string, ArticleHit>();
    // The latest message alone first: its matches are the best evidence; context only fills the remaining places.
    for (const query of queries) {
      if (found.size >= options.topK) break;
      const hits = await articleSearch.search(input.siteId, query.slice(-MAX_QUERY_CHARS), options.topK);
      for (const hit of hits) if (hit.score > options.minScore && !found.has(hit.id)) found.set(hit.id, hit);
    }
    return [...found.values()].slice(0, options.topK);
  }

  /**
   * Whether this server takes the `handoff` tool. Many local models do not (Ollama answers 400 "does not support
   * tools"), so the first refusal switches this bot to the marker word for good.
   */
  let handoffSignal: HandoffSignal = 'tool';

  function partials(articles: ArticleHit[], onPartial: (text: string) => void, via: HandoffSignal): (piece: string) => void {
    let written = '';
    let lastSent = -Infinity;
    return (piece) => {
      written += piece;
      // The marker is the model asking for a person, not words to show the visitor: held back while it could be one.
      if (via === 'marker' && mayBeMarker(written)) return;
      const now = deps.clock.now();
      if (now - lastSent < options.partialIntervalMs) return;
      lastSent = now;
      // Numbered as the stored reply will be: first citations come first in any prefix too.
      onPartial(mapCitations(written.trimStart(), articles).text);
    };
  }

  function complete(input: BotTurnInput, articles: ArticleHit[], context: BotTurnContext, via: HandoffSignal): Promise<ChatResult> {
    const messages = buildPrompt({ siteName: input.siteName, systemPrompt: config.systemPrompt ?? '', turn: input, articles, budget: options.budget, handoff: via });
    return streamChat(
      endpoint,
      { messages, temperature: config.temperature, maxTokens: config.maxTokens, tools: via === 'tool' ? [HANDOFF_TOOL] : undefined },
      { signal: context.signal, limits: options.limits, onText: partials(articles, context.onPartial, via) },
    );
  }

  /** Asks with the `handoff` tool unless this server refused it before; on a first refusal, asks again with the marker. */
  async function completeEitherWay(input: BotTurnInput, articles: ArticleHit[], context: BotTurnContext): Promise<{ result: ChatResult; via: HandoffSignal }> {
    const via = handoffSignal;
    try {
      return { result: await complete(input, articles, context, via), via };
    } catch (error) {
      if (via !== 'tool' || !refusesTools(error)) throw error;
      handoffSignal = 'marker';
      deps.log.info({ model: config.model, answer: (error as Error).message.slice(0, 200) }, 'AI bot: the model server refuses tools; asking for the handoff marker instead');
      return { result: await complete(input, articles, context, 'marker'), via: 'marker' };
    }
  }

  return {
    async respond(input: BotTurnInput, { signal, onPartial }: BotTurnContext): Promise<BotTurnResult> {
      const started = deps.clock.now();
      const latencyMs = () => deps.clock.now() - started;
      const handoff = (reason: HandoffReason, detail?: string, usage?: BotUsage): Handoff => ({ kind: 'handoff', reason, detail, usage, latencyMs: latencyMs() });
      const deadline = AbortSignal.timeout(timeoutMs);
      const turn = AbortSignal.any([signal, deadline]);
      try {
        // The search takes no signal; a slow one still ends the turn at the deadline.
        const articles = await Promise.race([retrieve(input), rejectOnAbort(turn)]);
        if (articles.length === 0) return handoff('not-covered', 'no published article matches the question');
        const { result, via } = await completeEitherWay(input, articles, { signal: turn, onPartial });
        return answer(result, articles, handoff, latencyMs(), via);
      } catch (error) {
        if (signal.aborted) {
          // The runner's own timeout is still a timeout to report; any other abort (handed off meanwhile) is the caller's.
          if ((signal.reason as Error | undefined)?.name === 'TimeoutError') return handoff('timeout', 'the bot timed out');
          throw signal.reason;
        }
        const failure = failureOf(error, deadline.aborted, timeoutMs);
        deps.log.warn({ siteId: input.siteId, conversationId: input.conversationId, model: config.model, failure: failure.detail }, 'AI bot failed; handing off');
        return handoff(failure.reason, failure.detail);
      }
    },
  };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** A 4xx or 5xx that names tools: the server or this model cannot take the `handoff` tool. */
function refusesTools(error: unknown): boolean {
  return error instanceof ChatCompletionError && error.code === 'status' && (error.status ?? 0) >= 400 && /\btools?\b/i.test(error.message);
}

const MARKER_ANSWER = new RegExp(`^\\W*${HANDOFF_MARKER}\\b`, 'i');

/** Text that is, or could still become, the handoff marker. */
function mayBeMarker(text: string): boolean {
  const start = text.trimStart().toUpperCase();
  return HANDOFF_MARKER.startsWith(start) || MARKER_ANSWER.test(start);
}

function answer(result: ChatResult, articles: ArticleHit[], handoff: (reason: HandoffReason, detail?: string, usage?: BotUsage) => Handoff, latencyMs: number, via: HandoffSignal): BotTurnResult {
  const asked = result.toolCalls.find((call) => call.name === HANDOFF_TOOL_NAME);
  if (asked) return handoff('bot-asked', handoffReason(asked.arguments), result.usage);
  if (via === 'marker' && MARKER_ANSWER.test(result.text)) return handoff('bot-asked', `the model answered ${HANDOFF_MARKER}`, result.usage);
  // A reply cut at maxTokens would stop mid-sentence, perhaps mid-instruction: a person answers instead.
  if (result.finishReason === 'length') return handoff('error', 'the answer reached maxTokens before it ended', result.usage);
  const { text, citations } = mapCitations(result.text.trim(), articles);
  if (!text.trim()) return handoff('error', result.toolCalls.length ? `the model called an unknown tool ${result.toolCalls[0]!.name.slice(0, 60)}` : 'the model gave an empty answer', result.usage);
  return { kind: 'reply', text: text.trim(), citations, usage: result.usage, latencyMs };
}

/** The model's own words for why, when its arguments are the JSON asked for; they are shown to agents only. */
function handoffReason(args: string): string | undefined {
  try {
    const parsed = JSON.parse(args) as { reason?: unknown };
    return typeof parsed.reason === 'string' && parsed.reason.trim() ? parsed.reason.trim().slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

function failureOf(error: unknown, pastDeadline: boolean, timeoutMs: number): { reason: HandoffReason; detail: string } {
  if (pastDeadline) return { reason: 'timeout', detail: `no complete answer within ${timeoutMs} ms` };
  if (error instanceof ChatCompletionError) return { reason: error.code === 'idle' ? 'timeout' : 'error', detail: `${error.code}: ${error.message}` };
  return { reason: 'error', detail: (error as Error)?.message || String(error) };
}
