/** The emails sent about a conversation and how each fared (queued, sent, failed with the relay's reason), live. */
import type { EmailDTO } from '../server/contract/email.ts';
import { dateTimeFormat } from './format.ts';
import { t, type ConsoleText } from './i18n.ts';

interface ConversationEmailsProps {
  emails: EmailDTO[];
  emailEnabled: boolean;
  /** Only admins can change the server's settings, so only they are told how to turn email on. */
  isAdmin: boolean;
}

export function ConversationEmails({ emails, emailEnabled, isAdmin }: ConversationEmailsProps) {
  if (!emailEnabled && emails.length === 0) {
    return isAdmin ? <p class="email-off">{t('emailDeliveryOff')}</p> : null;
  }
  return (
    <section aria-labelledby="emails-heading">
      <h3 id="emails-heading">
        {t('emails')} <span class="count">{emails.length}</span>
      </h3>
      {!emailEnabled && isAdmin && <p class="email-off">{t('emailDeliveryOff')}</p>}
      {emails.length === 0 ? (
        <p class="empty">{t('noEmails')}</p>
      ) : (
        <ul class="emails">
          {emails.map((email) => (
            <li key={email.id} class={`email-${email.state}`}>
              <span class="email-purpose">{t(`emailPurpose_${email.purpose}` as ConsoleText)}</span>{' '}
              <span class="email-state">{t(`emailState_${email.state}` as ConsoleText)}</span>{' '}
              <time dateTime={email.sentAt ?? email.createdAt}>{dateTimeFormat.format(new Date(email.sentAt ?? email.createdAt))}</time>
              <div class="email-to">{email.recipient}</div>
              {email.reason && <div class="email-reason">{email.state === 'queued' ? t('emailRetrying', { reason: email.reason }) : email.reason}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
