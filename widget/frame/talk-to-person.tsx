/** Whenever a bot holds the conversation, the visitor can ask for a person: the bot hands it to the human queue. */
import { useState } from 'preact/hooks';
import type { Translate } from '../../client/i18n.ts';
import type { FrameText } from './i18n.ts';
import type { VisitorChat } from './visitor-chat.ts';
import type { VisitorChatState } from './visitor-state.ts';

export function TalkToPerson({ chat, state, t }: { chat: VisitorChat; state: VisitorChatState; t: Translate<FrameText> }) {
  const [asking, setAsking] = useState(false);
  const { conversation } = state;
  if (conversation?.status !== 'active' || !conversation.assignee?.bot) return null;
  const ask = async () => {
    setAsking(true);
    // A refusal (a person took it over meanwhile) needs no message: the conversation update says who answers now.
    await chat.talkToPerson().catch(() => undefined);
    setAsking(false);
  };
  return (
    <div class="actions talk-to-person">
      <button type="button" aria-disabled={asking} onClick={() => !asking && void ask()}>
        {t('talkToPerson')}
      </button>
    </div>
  );
}
