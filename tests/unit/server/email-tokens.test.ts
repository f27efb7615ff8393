import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../server/domain/clock.ts';
import { EmailTokens } from '../../../server/email/tokens.ts';

const conversation = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const secret = 'x'.repeat(48);

describe('email tokens', () => {
  it('round-trips a reply address and fits an address local part', () => {
    const tokens = new EmailTokens(secret, new ManualClock(Date.UTC(2026, 11, 5)));
    const address = tokens.replyAddress(conversation, 'reply.example.com');
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64);
    expect(tokens.conversationOfReplyAddress(address, 'reply.example.com')).toBe(conversation);
    expect(tokens.conversationOfReplyAddress(address.toUpperCase(), 'REPLY.example.com')).toBe(conversation);
  });

  it('refuses another domain, a changed character, another purpose, another secret and an expired token', () => {
    const clock = new ManualClock(Date.UTC(2026, 11, 5));
    const tokens = new EmailTokens(secret, clock);
    const address = tokens.replyAddress(conversation, 'reply.example.com');
    expect(tokens.conversationOfReplyAddress(address, 'other.example.com')).toBeNull();
    const local = address.split('@')[0]!;
    const last = local.at(-1) === '0' ? '1' : '0';
    expect(tokens.conversationOfReplyAddress(`${local.slice(0, -1)}${last}@reply.example.com`, 'reply.example.com')).toBeNull();
    const token = local.slice('reply+'.length);
    expect(tokens.verify('continue', token)).toBeNull();
    expect(new EmailTokens('y'.repeat(48), clock).verify('reply', token)).toBeNull();
    expect(tokens.verify('reply', token)?.subjectId).toBe(conversation);
    const continueToken = tokens.issue('continue', conversation, 60_000);
    clock.advance(2 * 60_000);
    expect(tokens.verify('continue', continueToken)).toBeNull();
    expect(tokens.verify('reply', 'not-a-token')).toBeNull();
  });

  it('finds the conversation from one of our Message-IDs, and only from ours', () => {
    const tokens = new EmailTokens(secret, new ManualClock(Date.UTC(2026, 11, 5)));
    const id = tokens.messageId(conversation, 'reply.example.com');
    expect(id).toMatch(/^<r\.[0-9a-f]{56}\.[0-9a-f]{12}@reply\.example\.com>$/);
    expect(tokens.messageId(conversation, 'reply.example.com')).not.toBe(id);
    expect(tokens.conversationOfMessageId(id)).toBe(conversation);
    expect(tokens.conversationOfMessageId('<CAF=abc@mail.gmail.com>')).toBeNull();
    const flipped = id.replace(/^<r\.(.)/, (_, c: string) => `<r.${c === 'f' ? 'e' : 'f'}`);
    expect(tokens.conversationOfMessageId(flipped)).toBeNull();
  });
});
