/**
 * The rule bot: keyword or pattern rules answer with a text or a canned response; outside business hours it sends
 * the away message once; before handing off it may collect the visitor's email (asks, validates, stores it on the
 * visitor's profile). What it has already said is read back from the transcript, so it keeps no state of its own.
 */
import { z } from 'zod';
import type { RuleBotConfig } from '../contract/bots.ts';
import { compileRule, firstMatch } from '../domain/bot-rules.ts';
import type { BotResponder, BotTurnInput, BotTurnResult } from './ports.ts';

export interface RuleBotDeps {
  /** A canned response's body, when it exists on the bot's site (or every site). */
  cannedBody(siteId: string, cannedId: string): Promise<string | null>;
  siteOpen(siteId: string): Promise<boolean>;
  visitorEmail(conversationId: string): Promise<string | null>;
  /** Fills the visitor's empty email, as if they had typed it in the pre-chat form. */
  saveVisitorEmail(conversationId: string, email: string): Promise<void>;
  now(): number;
}

/** What the rule bot says when the admin has not written its own texts. */
export const RULE_BOT_TEXTS = {
  emailPrompt: 'A person will take over. What email address can they reach you at?',
  emailInvalid: 'That does not look like an email address. Please type it again, e.g. name@example.com.',
} as const;

const isEmail = (text: string) => z.email().max(254).safeParse(text).success;

export function createRuleBot(config: RuleBotConfig, deps: RuleBotDeps): BotResponder {
  const rules = config.rules.map(compileRule);
  return {
    async respond(input: BotTurnInput): Promise<BotTurnResult> {
      const started = deps.now();
      const reply = (text: string): BotTurnResult => ({ kind: 'reply', text, citations: [], latencyMs: deps.now() - started });
      const handoff = (): BotTurnResult => ({ kind: 'handoff', reason: 'not-covered', latencyMs: deps.now() - started });
      const said = input.transcript.filter((l) => l.author === 'bot').map((l) => l.text);
      const last = said.at(-1) ?? '';

      if (config.collectEmail && (last.endsWith(RULE_BOT_TEXTS.emailPrompt) || last === RULE_BOT_TEXTS.emailInvalid)) {
        const typed = input.latest.trim();
        if (isEmail(typed)) {
          await deps.saveVisitorEmail(input.conversationId, typed);
          return handoff();
        }
        // Asked twice already: a person takes it from here rather than the visitor looping.
        return last === RULE_BOT_TEXTS.emailInvalid ? handoff() : reply(RULE_BOT_TEXTS.emailInvalid);
      }
      const matched = firstMatch(rules, input.latest);
      if (matched >= 0) {
        const rule = config.rules[matched]!;
        const text = rule.cannedId ? await deps.cannedBody(input.siteId, rule.cannedId) : rule.answer;
        if (text) return reply(text);
      }
      const wantsEmail = config.collectEmail === true && !(await deps.visitorEmail(input.conversationId));
      const awaySent = config.awayMessage !== undefined && said.some((s) => s.startsWith(config.awayMessage!));
      if (config.awayMessage && !awaySent && !(await deps.siteOpen(input.siteId))) {
        return reply(wantsEmail ? `${config.awayMessage}\n\n${RULE_BOT_TEXTS.emailPrompt}` : config.awayMessage);
      }
      return wantsEmail ? reply(RULE_BOT_TEXTS.emailPrompt) : handoff();
    },
  };
}
