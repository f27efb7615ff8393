/** The site form's alert settings: when a waiting visitor alerts agents, escalates by email, and what alerts may say. */
import type { WidgetSettings } from '../../server/contract/dto.ts';
import { t } from '../i18n.ts';
import { Check } from './check.tsx';

export function SiteAlertFields({ settings: s, set }: { settings: WidgetSettings; set(patch: Partial<WidgetSettings>): void }) {
  const num = (value: string) => (value === '' ? 0 : Number(value));
  return (
    <fieldset>
      <legend>{t('alertsLegend')}</legend>
      <div class="row">
        <label>
          {t('alertAfterSeconds')}
          <input type="number" min={5} max={3600} value={s.alertAfterSeconds} onInput={(e) => set({ alertAfterSeconds: num(e.currentTarget.value) })} />
        </label>
        <label>
          {t('escalateToAgentsAfterMinutes')}
          <input type="number" min={0} max={1440} value={s.escalateToAgentsAfterMinutes} onInput={(e) => set({ escalateToAgentsAfterMinutes: num(e.currentTarget.value) })} />
        </label>
        <label>
          {t('escalateToAdminsAfterMinutes')}
          <input type="number" min={0} max={1440} value={s.escalateToAdminsAfterMinutes} onInput={(e) => set({ escalateToAdminsAfterMinutes: num(e.currentTarget.value) })} />
        </label>
      </div>
      <p class="muted">{t('escalationOffHint')}</p>
      <Check label={t('emailOfflineMessagesToAgents')} checked={s.emailOfflineMessagesToAgents} onChange={(v) => set({ emailOfflineMessagesToAgents: v })} />
      <Check label={t('alertsWithoutMessageText')} hint={t('alertsWithoutMessageTextHint')} checked={s.alertsWithoutMessageText} onChange={(v) => set({ alertsWithoutMessageText: v })} />
    </fieldset>
  );
}
