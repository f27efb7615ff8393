/**
 * What a bot needs from the rest of Parley and what it answers, whatever kind it is (rule, webhook, AI):
 * the bot runner (server/bots/) calls a BotResponder for each visitor message in a conversation the bot holds and
 * acts on its answer (send the reply, hand off, or wait for a webhook bot's own API call). The knowledge base
 * implements ArticleSearch; the AI bot retrieves through it.
 */

/** A knowledge-base article as retrieval returns it: published articles of one site only. */
export interface ArticleHit {
  id: string;
  title: string;
  /** Markdown. */
  body: string;
  tags: string[];
  /** Where a visitor can read it (absolute URL on Parley's origin). */
  url: string;
  /** Higher is better; comparable within one search only. */
  score: number;
}

export interface ArticleSearch {
  /** Published articles of `siteId` matching `query`, best first; never another site's, never a draft. */
  search(siteId: string, query: string, limit: number): Promise<ArticleHit[]>;
}

export interface BotTranscriptLine {
  author: 'visitor' | 'agent' | 'bot';
  text: string;
}

export interface BotTurnInput {
  siteId: string;
  siteName: string;
  conversationId: string;
  /** This conversation's messages, oldest first (no internal notes, no other conversation's). */
  transcript: BotTranscriptLine[];
  /** The visitor's message to answer (also the last visitor line of the transcript). */
  latest: string;
  /** The visitor's language when known (BCP 47), to answer in it. */
  locale?: string;
}

export interface BotCitation {
  articleId: string;
  title: string;
  url: string;
}

export interface BotUsage {
  promptTokens: number;
  completionTokens: number;
}

export type HandoffReason = 'visitor-asked' | 'bot-asked' | 'not-covered' | 'error' | 'timeout';

export type BotTurnResult =
  | { kind: 'reply'; text: string; citations: BotCitation[]; usage?: BotUsage; latencyMs: number }
  | { kind: 'handoff'; reason: HandoffReason; detail?: string; usage?: BotUsage; latencyMs: number }
  /** The bot answers on its own later (a webhook bot through the REST API), or chooses not to answer this one. */
  | { kind: 'none' };

export interface BotTurnContext {
  /** Aborted at the bot's timeout or when the conversation is handed off meanwhile: stop and return. */
  signal: AbortSignal;
  /** The reply so far, while it is being written (shown to the visitor as the bot typing). */
  onPartial(text: string): void;
}

export interface BotResponder {
  respond(input: BotTurnInput, context: BotTurnContext): Promise<BotTurnResult>;
}
