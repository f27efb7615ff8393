/** The panel's header: team name, the agent once assigned (name, avatar), and the panel's buttons. */
import type { AgentPublicDTO } from '../../server/contract/dto.ts';
import type { Translate } from '../../client/i18n.ts';
import { Icon } from '../../client/icons.tsx';
import { safeHref } from '../../client/rich-text.tsx';
import type { FrameText } from './i18n.ts';

interface HeaderProps {
  teamName: string;
  agent: AgentPublicDTO | null;
  muted: boolean;
  historyOpen: boolean;
  t: Translate<FrameText>;
  onMute(muted: boolean): void;
  onHistory(): void;
  onClose?(): void;
}

export function Header({ teamName, agent, muted, historyOpen, t, onMute, onHistory, onClose }: HeaderProps) {
  const avatar = agent?.avatarUrl ? safeHref(agent.avatarUrl) : null;
  return (
    <header class="header">
      {avatar && <img class="avatar" src={avatar} alt="" width={36} height={36} />}
      {/* bdi: a name keeps its own direction (and its punctuation its place) in either language's header. */}
      <div class="title">
        <h1>
          <bdi>{teamName}</bdi>
        </h1>
        {agent && (
          <p>
            <bdi>{agent.name}</bdi>
          </p>
        )}
      </div>
      <button type="button" class="icon" aria-label={t('history')} aria-pressed={historyOpen} onClick={onHistory}>
        <Icon name="menu" />
      </button>
      <button type="button" class="icon" aria-label={t('muteSounds')} aria-pressed={muted} onClick={() => onMute(!muted)}>
        <Icon name={muted ? 'bellOff' : 'bell'} />
      </button>
      {onClose && (
        <button type="button" class="icon" aria-label={t('closeChat')} onClick={onClose}>
          <Icon name="close" />
        </button>
      )}
    </header>
  );
}
