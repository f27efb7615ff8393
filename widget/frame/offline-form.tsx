/**
 * Nobody can answer now (no agent online, or outside business hours): the widget says so and takes a message.
 * When the server sends email it asks for an address to reply to; when it does not, it promises no email and
 * the address is optional (the team can still write to it themselves).
 */
import { useEffect, useState } from 'preact/hooks';
import type { WidgetConfig } from '../../server/contract/http.ts';
import type { Translate } from '../../client/i18n.ts';
import { beforeFirstMessage } from './article-suggestions.tsx';
import { Field } from './field.tsx';
import type { FrameText } from './i18n.ts';
import { VisitorComposer } from './visitor-composer.tsx';
import type { VisitorChat } from './visitor-chat.ts';
import type { VisitorChatState } from './visitor-state.ts';

interface OfflineFormProps {
  chat: VisitorChat;
  state: VisitorChatState;
  config: WidgetConfig;
  t: Translate<FrameText>;
}

export function OfflineForm({ chat, state, config, t }: OfflineFormProps) {
  const [failed, setFailed] = useState(false);
  const knownEmail = state.visitor?.email ?? '';
  const byEmail = config.emailEnabled;
  const [email, setEmail] = useState(knownEmail);
  // The visitor's record may arrive after the form is shown.
  useEffect(() => setEmail((typed) => typed || knownEmail), [knownEmail]);
  return (
    <section class="offline">
      <p class="notice">
        {config.settings.offlineMessage || t(config.open ? 'noAgentOnline' : 'closedNow')} {t(byEmail ? 'leaveMessage' : 'leaveMessageNoEmail')}
      </p>
      <VisitorComposer
        chat={chat}
        config={config}
        t={t}
        suggest={beforeFirstMessage(state)}
        before={
          <>
            <Field label={t('email')} optionalLabel={t('optional')} name="email" type="email" autoComplete="email" required={byEmail} maxLength={254} value={email} onInput={(event) => setEmail(event.currentTarget.value)} />
            {byEmail && knownEmail && <p class="hint">{t('replyByEmail', { email: knownEmail })}</p>}
            <p class="error" role="alert">
              {failed && t('somethingWentWrong')}
            </p>
          </>
        }
        onSend={async (body, attachments) => {
          try {
            const address = email.trim();
            if (address && address !== knownEmail) await chat.updateVisitor({ email: address });
            setFailed(false);
          } catch (error) {
            setFailed(true);
            throw error;
          }
          chat.send(body, attachments);
        }}
      />
    </section>
  );
}
