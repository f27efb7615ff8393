import { describe, expect, it } from 'vitest';
import { replyText } from '../../../server/email/inbound/reply-text.ts';

describe('reply text', () => {
  it('keeps a plain reply as it is, without surrounding blank lines', () => {
    expect(replyText('\r\nThanks, that fixed it.\r\n\r\nSecond paragraph.\r\n\r\n')).toBe('Thanks, that fixed it.\n\nSecond paragraph.');
  });

  it('cuts a Gmail reply at its wrapped "On … wrote:" header', () => {
    const gmail = [
      'Yes, order 4411 is the one.',
      '',
      'On Sat, Dec 5, 2026 at 10:02 AM Acme Support <',
      'reply+3f1c0a9e8d7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d@reply.acme.example> wrote:',
      '',
      '> Which order do you mean?',
      '>',
      '> Zoe',
    ].join('\r\n');
    expect(replyText(gmail)).toBe('Yes, order 4411 is the one.');
  });

  it('cuts an Outlook reply at its From/Sent header block, with or without the separator line', () => {
    const outlook = [
      'Please cancel it.',
      '',
      'Best regards,',
      'Jan',
      '',
      '________________________________',
      'From: Acme Support <support@acme.example>',
      'Sent: Saturday, December 5, 2026 10:02 AM',
      'To: Jan de Vries <jan@example.nl>',
      'Subject: Re: Your order',
      '',
      'Which order do you mean?',
    ].join('\r\n');
    expect(replyText(outlook)).toBe('Please cancel it.\n\nBest regards,\nJan');
    const bare = ['Please cancel it.', '', 'From: Acme Support <support@acme.example>', 'To: jan@example.nl', 'Date: 5 Dec 2026', '', 'Old text'].join('\n');
    expect(replyText(bare)).toBe('Please cancel it.');
    expect(replyText('Fine.\n\n-----Original Message-----\nFrom: x\nOld')).toBe('Fine.');
  });

  it('cuts an Apple Mail reply and drops its "Sent from my iPhone" footer', () => {
    const apple = [
      'Great, thank you!',
      '',
      'Sent from my iPhone',
      '',
      '> On 5 Dec 2026, at 10:02, Acme Support <support@acme.example> wrote:',
      '>',
      '> Your refund is on its way.',
    ].join('\n');
    expect(replyText(apple)).toBe('Great, thank you!');
    const unquotedHeader = 'Great.\n\nOn 5 Dec 2026, at 10:02, Acme Support <support@acme.example> wrote:\n\nYour refund is on its way.';
    expect(replyText(unquotedHeader)).toBe('Great.');
  });

  it('drops a "-- " signature and interleaved quoted lines', () => {
    expect(replyText('See below.\n> old question\nMy answer.\n\n-- \nJan de Vries\nAcme Ltd')).toBe('See below.\nMy answer.');
  });

  it('cuts localised quote headers', () => {
    expect(replyText('Merci !\n\nLe sam. 5 déc. 2026 à 10:02, Acme <a@b.example> a écrit :\n> texte')).toBe('Merci !');
    expect(replyText('好的\n\n在 2026年12月5日 10:02，Acme <a@b.example> 写道：\n> 文本')).toBe('好的');
  });

  it('is empty when the reply holds only quoted text', () => {
    expect(replyText('On Sat, Dec 5, 2026 at 10:02 AM Acme wrote:\n> hello')).toBe('');
    expect(replyText('> hello\n> there\n')).toBe('');
  });

  it('keeps a sentence that starts with "On" and does not introduce a quote', () => {
    expect(replyText('On Monday I will call you.\nThanks')).toBe('On Monday I will call you.\nThanks');
  });
});
