/** A site's bots: create, edit, enable or disable and delete; a webhook bot's secret and API key shown once. */
import { useState } from 'preact/hooks';
import type { SiteAdminDTO } from '../../server/contract/admin.ts';
import {
  BOT_DEFAULTS, BOT_KINDS, BOT_WHEN, type BotConfigInput, type BotDTO, type BotKind, type BotWhen, type CreatedBotDTO, type OpenAiBotConfig, type RuleBotConfig, type WebhookBotConfig,
} from '../../server/contract/bots.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { rulesToText, textToRules } from './bot-config.ts';
import { AdminTable, ErrorLine, errorText, RowAction, Status, useLoad, useRowActions } from './common.tsx';

interface Draft {
  name: string;
  kind: BotKind;
  when: BotWhen;
  capacity: number;
  timeoutS: number;
  rules: string;
  awayMessage: string;
  collectEmail: boolean;
  url: string;
  baseUrl: string;
  model: string;
  apiKey: string;
  systemPrompt: string;
}

function draftOf(bot: BotDTO | null): Draft {
  const rule = (bot?.kind === 'rule' ? bot.config : { rules: [] }) as RuleBotConfig;
  const hook = (bot?.kind === 'webhook' ? bot.config : { url: '' }) as Partial<WebhookBotConfig>;
  const ai = (bot?.kind === 'openai' ? bot.config : { baseUrl: '', model: '' }) as OpenAiBotConfig;
  return {
    name: bot?.name ?? '',
    kind: bot?.kind ?? 'rule',
    when: bot?.when ?? BOT_DEFAULTS.when,
    capacity: bot?.capacity ?? BOT_DEFAULTS.capacity,
    timeoutS: (bot?.timeoutMs ?? BOT_DEFAULTS.timeoutMs) / 1000,
    rules: rulesToText(rule.rules),
    awayMessage: rule.awayMessage ?? '',
    collectEmail: rule.collectEmail ?? false,
    url: hook.url ?? '',
    baseUrl: ai.baseUrl,
    model: ai.model,
    apiKey: '', // left empty: the stored key is kept
    systemPrompt: ai.systemPrompt ?? '',
  };
}

/** The kind's settings from the form, or why not. */
function configOf(d: Draft): BotConfigInput | string {
  if (d.kind === 'webhook') return { url: d.url.trim() };
  if (d.kind === 'openai') {
    return { baseUrl: d.baseUrl.trim(), model: d.model.trim(), ...(d.apiKey && { apiKey: d.apiKey }), ...(d.systemPrompt.trim() && { systemPrompt: d.systemPrompt.trim() }) };
  }
  const parsed = textToRules(d.rules);
  if ('badLine' in parsed) return t('botRulesBadLine', { line: parsed.badLine });
  return { rules: parsed.rules, ...(d.awayMessage.trim() && { awayMessage: d.awayMessage.trim() }), collectEmail: d.collectEmail };
}

function BotForm({ api, base, bot, onSaved }: { api: AdminApi; base: string; bot: BotDTO | null; onSaved(created?: CreatedBotDTO): void }) {
  const [d, setD] = useState<Draft>(() => draftOf(bot));
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const config = configOf(d);
    if (typeof config === 'string') return setError(config);
    const fields = { name: d.name.trim(), when: d.when, capacity: d.capacity, timeoutMs: Math.round(d.timeoutS * 1000), config };
    try {
      if (bot) {
        await api.patch<BotDTO>(`${base}/${bot.id}`, fields);
        onSaved();
      } else onSaved(await api.post<CreatedBotDTO>(base, { ...fields, kind: d.kind }));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const text = (label: string, key: keyof Draft, props: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input value={d[key] as string} onInput={(e) => set({ [key]: e.currentTarget.value })} {...props} />
    </label>
  );
  return (
    <form class="admin-form" onSubmit={submit} aria-label={bot ? t('botEdit', { name: bot.name }) : t('botAdd')}>
      {text(t('botName'), 'name', { required: true, maxLength: 80 })}
      <label>
        {t('botKind')}
        <select value={d.kind} disabled={bot !== null} onChange={(e) => set({ kind: e.currentTarget.value as BotKind })}>
          {BOT_KINDS.map((k) => <option key={k} value={k}>{t(`botKind_${k}`)}</option>)}
        </select>
      </label>
      <label>
        {t('botWhen')}
        <select value={d.when} onChange={(e) => set({ when: e.currentTarget.value as BotWhen })}>
          {BOT_WHEN.map((w) => <option key={w} value={w}>{t(`botWhen_${w}`)}</option>)}
        </select>
      </label>
      <label>
        {t('botCapacity')}
        <input type="number" min={1} max={1000} required value={d.capacity} onInput={(e) => set({ capacity: Number(e.currentTarget.value) })} />
      </label>
      <label>
        {t('botTimeout')}
        <input type="number" min={1} max={60} required value={d.timeoutS} onInput={(e) => set({ timeoutS: Number(e.currentTarget.value) })} />
      </label>
      {d.kind === 'rule' && (
        <>
          <label>
            {t('botRules')}
            <textarea rows={5} value={d.rules} placeholder="opening hours => We are open 9:00 to 17:00." onInput={(e) => set({ rules: e.currentTarget.value })} />
          </label>
          <p class="hint">{t('botRulesHint')}</p>
          {text(t('botAwayMessage'), 'awayMessage', { maxLength: 5000 })}
          <label class="check">
            <input type="checkbox" checked={d.collectEmail} onChange={(e) => set({ collectEmail: e.currentTarget.checked })} />
            {t('botCollectEmail')}
          </label>
        </>
      )}
      {d.kind === 'webhook' && text(t('botUrl'), 'url', { type: 'url', required: true, maxLength: 2000, placeholder: 'https://bot.example.com/parley' })}
      {d.kind === 'openai' && (
        <>
          {text(t('botBaseUrl'), 'baseUrl', { type: 'url', required: true, placeholder: 'http://127.0.0.1:8080/v1' })}
          {text(t('botModel'), 'model', { required: true, maxLength: 200 })}
          {text(t('botApiKey'), 'apiKey', { type: 'password', autoComplete: 'off', placeholder: bot ? t('botApiKeyKept') : '' })}
          {text(t('botSystemPrompt'), 'systemPrompt', { maxLength: 8000 })}
        </>
      )}
      <ErrorLine error={error} />
      <div class="form-actions">
        <button type="submit" class="primary">{bot ? t('botSave') : t('botAdd')}</button>
      </div>
    </form>
  );
}

export function SiteBots({ api, site }: { api: AdminApi; site: SiteAdminDTO }) {
  const base = `/sites/${site.id}/bots`;
  const bots = useLoad(() => api.get<BotDTO[]>(base), [api, base]);
  const [editing, setEditing] = useState<string | null>(null);
  const [shown, setShown] = useState<CreatedBotDTO | null>(null);
  const { status, setStatus, error, act } = useRowActions(bots.reload);
  const current = bots.data?.find((b) => b.id === editing) ?? null;
  return (
    <section class="admin-form" aria-labelledby="bots-title">
      <h2 id="bots-title">{t('bots')}</h2>
      <ErrorLine error={bots.error ?? error} />
      <AdminTable caption={t('bots')} columns={[t('botName'), t('botKind'), t('botWhen'), t('botCapacity'), t('webhookStatus')]}>
        {(bots.data ?? []).map((b) => (
          <tr key={b.id}>
            <td>{b.name}</td>
            <td>{t(`botKind_${b.kind}`)}</td>
            <td>{t(`botWhen_${b.when}`)}</td>
            <td>{b.capacity}</td>
            <td>{b.enabled ? t('webhookEnabled') : t('botDisabled')}</td>
            <td>
              <RowAction label={t('botEditAction')} subject={b.name} expanded={editing === b.id} onClick={() => setEditing(editing === b.id ? null : b.id)} />
              <RowAction
                label={b.enabled ? t('botDisable') : t('webhookEnable')}
                subject={b.name}
                onClick={act(() => api.patch(`${base}/${b.id}`, { enabled: !b.enabled }), t('saved'))}
              />
              <RowAction label={t('webhookDelete')} subject={b.name} danger onClick={act(async () => confirm(t('botDeleteConfirm')) && api.delete(`${base}/${b.id}`), t('botDeleted'))} />
            </td>
          </tr>
        ))}
      </AdminTable>
      {current && (
        <BotForm
          key={current.id}
          api={api}
          base={base}
          bot={current}
          onSaved={() => {
            setEditing(null);
            setStatus(t('saved'));
            bots.reload();
          }}
        />
      )}
      {shown?.apiKey && (
        <p class="saved" role="status">
          {t('botSecretsOnce')} <code>{shown.secret}</code> <code>{shown.apiKey}</code>
        </p>
      )}
      <Status text={status} />
      <BotForm
        key={`new-${bots.data?.length ?? 0}`}
        api={api}
        base={base}
        bot={null}
        onSaved={(created) => {
          setShown(created ?? null);
          bots.reload();
        }}
      />
    </section>
  );
}
