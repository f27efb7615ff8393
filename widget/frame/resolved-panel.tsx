/** After the agent resolves: a rating (1–5 and an optional comment), the transcript, and a way to start again. */
import { useState } from 'preact/hooks';
import type { ConversationDTO } from '../../server/contract/dto.ts';
import type { Translate } from '../../client/i18n.ts';
import { Icon } from '../../client/icons.tsx';
import type { FrameText } from './i18n.ts';

interface ResolvedPanelProps {
  conversation: ConversationDTO;
  t: Translate<FrameText>;
  onRate(rating: number, comment: string): Promise<void>;
  onDownload(): void;
  /** Present when the visitor's email is known and the server sends email; resolves with the address. */
  onEmail?: () => Promise<string>;
  onNewConversation(): void;
}

function RatingForm({ t, onRate }: Pick<ResolvedPanelProps, 't' | 'onRate'>) {
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState('');
  const [failed, setFailed] = useState(false);
  const submit = (event: Event): void => {
    event.preventDefault();
    if (rating) onRate(rating, comment).then(() => setFailed(false), () => setFailed(true));
  };
  return (
    <form class="form rating" onSubmit={submit}>
      <fieldset>
        <legend>{t('rateTitle')}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((value) => (
            <label key={value} title={t('stars', { count: value })}>
              <input type="radio" name="rating" value={value} required checked={rating === value} onChange={() => setRating(value)} />
              <Icon name="star" filled={value <= rating} />
              <span class="visually-hidden">{t('stars', { count: value })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field">
        <span>{t('comment')}</span>
        <textarea rows={2} maxLength={1000} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
      </label>
      <p class="error" role="alert">
        {failed && t('somethingWentWrong')}
      </p>
      <button type="submit" class="primary">
        {t('sendRating')}
      </button>
    </form>
  );
}

function EmailTranscript({ t, onEmail }: { t: ResolvedPanelProps['t']; onEmail: () => Promise<string> }) {
  const [outcome, setOutcome] = useState<{ sentTo: string } | 'failed' | null>(null);
  const send = (): void => void onEmail().then((sentTo) => setOutcome({ sentTo }), () => setOutcome('failed'));
  return (
    <>
      <button type="button" onClick={send} disabled={outcome !== null && outcome !== 'failed'}>
        {t('emailTranscript')}
      </button>
      <p class="notice" role="status">
        {outcome === 'failed' ? t('somethingWentWrong') : outcome ? t('transcriptEmailed', { email: outcome.sentTo }) : ''}
      </p>
    </>
  );
}

export function ResolvedPanel({ conversation, t, onRate, onDownload, onEmail, onNewConversation }: ResolvedPanelProps) {
  return (
    <section class="resolved" aria-label={t('statusResolved')}>
      {conversation.rating === null ? <RatingForm t={t} onRate={onRate} /> : <p class="notice" role="status">{t('thanksForRating')}</p>}
      <div class="actions">
        <button type="button" onClick={onDownload}>
          {t('downloadTranscript')}
        </button>
        {onEmail && <EmailTranscript t={t} onEmail={onEmail} />}
        <button type="button" onClick={onNewConversation}>
          {t('newConversation')}
        </button>
      </div>
    </section>
  );
}
