import { describe, expect, it } from 'vitest';
import type { MessageDTO } from '../../../server/contract/dto.ts';
import { transcriptContent } from '../../../server/email/transcript-content.ts';

const message = (seq: number, authorKind: MessageDTO['authorKind'], body: string, extra: Partial<MessageDTO> = {}): MessageDTO => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  authorKind,
  authorId: null,
  authorName: null,
  body,
  system: null,
  clientId: null,
  attachments: [],
  createdAt: `2026-12-05T10:0${seq}:00.000Z`,
  ...extra,
});

describe('transcript email content', () => {
  it('lists what the visitor and agents said, in order, without system lines or notes', () => {
    const content = transcriptContent('Shop helpers', [
      message(1, 'visitor', 'Where is my parcel?'),
      message(2, 'system', '{"type":"assigned"}'),
      message(3, 'agent', 'On its way.', { authorName: 'Zoe' }),
      message(4, 'note', 'internal only'),
      message(5, 'visitor', 'Thanks', { attachments: [{ id: 'a', fileName: 'photo.png', contentType: 'image/png', size: 3, image: true, url: '/x' }] }),
    ]);
    expect(content.subject).toBe('Your conversation with Shop helpers');
    expect(content.text).toBe(
      'Your conversation with Shop helpers\n\n[2026-12-05 10:01 UTC] You:\nWhere is my parcel?\n\n[2026-12-05 10:03 UTC] Zoe:\nOn its way.\n\n[2026-12-05 10:05 UTC] You:\nThanks\n(attachment: photo.png)\n',
    );
    expect(content.html).not.toContain('internal only');
    expect(content.html).toContain('<strong>Zoe</strong>');
  });

  it('escapes every piece of user text in the HTML', () => {
    const content = transcriptContent('<b>Team</b>', [message(1, 'visitor', '<script>alert(1)</script>\n"quoted" & \'single\''), message(2, 'agent', 'ok', { authorName: '<img src=x onerror=alert(1)>' })]);
    expect(content.html).not.toMatch(/<script|<img|<b>Team/);
    expect(content.html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;<br>&#34;quoted&#34; &#38; &#39;single&#39;');
    expect(content.html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});
