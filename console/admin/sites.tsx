/** Sites: every widget setting, allowed origins, identity verification and its secret, and the snippet to paste. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CreateSiteRequest, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { WidgetSettings, Weekday } from '../../server/contract/dto.ts';
import { DEFAULT_WIDGET_SETTINGS } from '../../server/contract/defaults.ts';
import type { AdminApi } from '../api.ts';
import { t, type ConsoleText } from '../i18n.ts';
import { AdminPage, copyText, ErrorLine, errorText, Status, useHint, useLoad } from './common.tsx';
import { Check } from './check.tsx';
import { SiteAlertFields } from './site-alert-fields.tsx';
import { SiteWebhooks } from './webhooks.tsx';
import { SiteBots } from './bots.tsx';

const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DEFAULTS: WidgetSettings = {
  ...DEFAULT_WIDGET_SETTINGS,
  businessHours: { ...DEFAULT_WIDGET_SETTINGS.businessHours, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' },
};
const TIME_ZONES: string[] = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC'];

interface Draft {
  name: string;
  origins: string;
  identityRequired: boolean;
  settings: WidgetSettings;
}

const draftOf = (site: SiteAdminDTO | null): Draft =>
  site
    ? { name: site.name, origins: site.allowedOrigins.join('\n'), identityRequired: site.identityRequired, settings: structuredClone(site.widgetSettings) }
    : { name: '', origins: '', identityRequired: false, settings: structuredClone(DEFAULTS) };

function SiteForm({ api, site, onSaved }: { api: AdminApi; site: SiteAdminDTO | null; onSaved(site: SiteAdminDTO): void }) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(site));
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [originsHint, OriginsHint] = useHint();
  useEffect(() => setDraft(draftOf(site)), [site?.id]);
  const s = draft.settings;
  const set = (patch: Partial<WidgetSettings>) => setDraft({ ...draft, settings: { ...s, ...patch } });
  const num = (value: string) => (value === '' ? 0 : Number(value));

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setStatus(null);
    const body: CreateSiteRequest = {
      name: draft.name.trim(),
      allowedOrigins: draft.origins.split(/[\s,]+/).filter(Boolean),
      widgetSettings: s,
      identityRequired: draft.identityRequired,
    };
    try {
      const saved = site ? await api.patch<SiteAdminDTO>(`/sites/${site.id}`, body) : await api.post<SiteAdminDTO>('/sites', body);
      setStatus(t('saved'));
      onSaved(saved);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="admin-form" onSubmit={save} aria-labelledby="site-form-title">
      <h2 id="site-form-title">{site ? site.name : t('newSite')}</h2>
      <fieldset>
        <legend>{t('siteGeneral')}</legend>
        <label>
          {t('siteName')}
          <input required maxLength={100} value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </label>
        <div class="field">
          <label>
            {t('allowedOrigins')}
            <textarea rows={3} required value={draft.origins} aria-describedby={originsHint} placeholder="https://www.example.com" onInput={(e) => setDraft({ ...draft, origins: e.currentTarget.value })} />
          </label>
          <OriginsHint text={t('allowedOriginsHint')} />
        </div>
        <Check
          label={t('identityRequired')}
          hint={t('identityRequiredHint')}
          checked={draft.identityRequired}
          onChange={(v) => setDraft({ ...draft, identityRequired: v })}
        />
      </fieldset>
      <fieldset>
        <legend>{t('appearance')}</legend>
        <div class="row">
          <label>
            {t('colour')}
            <input type="color" value={s.color} onInput={(e) => set({ color: e.currentTarget.value })} />
          </label>
          <label>
            {t('position')}
            <select value={s.position} onChange={(e) => set({ position: e.currentTarget.value as 'left' | 'right' })}>
              <option value="right">{t('right')}</option>
              <option value="left">{t('left')}</option>
            </select>
          </label>
          <label>
            {t('offsetX')}
            <input type="number" min={0} max={500} value={s.offsetX} onInput={(e) => set({ offsetX: num(e.currentTarget.value) })} />
          </label>
          <label>
            {t('offsetY')}
            <input type="number" min={0} max={500} value={s.offsetY} onInput={(e) => set({ offsetY: num(e.currentTarget.value) })} />
          </label>
          <label>
            {t('zIndex')}
            <input type="number" min={0} max={2147483647} value={s.zIndex} onInput={(e) => set({ zIndex: num(e.currentTarget.value) })} />
          </label>
        </div>
        <div class="row">
          <label>
            {t('teamName')}
            <input maxLength={60} value={s.teamName} onInput={(e) => set({ teamName: e.currentTarget.value })} />
          </label>
          <label>
            {t('widgetLanguage')}
            <select value={s.locale} onChange={(e) => set({ locale: e.currentTarget.value as WidgetSettings['locale'] })}>
              <option value="auto">{t('languageAuto')}</option>
              <option value="en">English</option>
              <option value="zh-CN">简体中文</option>
              <option value="ar">العربية</option>
            </select>
          </label>
        </div>
        <label>
          {t('greeting')}
          <textarea rows={2} maxLength={500} value={s.greeting} onInput={(e) => set({ greeting: e.currentTarget.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('prechatForm')}</legend>
        <Check label={t('prechatEnabled')} checked={s.prechat.enabled} onChange={(v) => set({ prechat: { ...s.prechat, enabled: v } })} />
        <Check label={t('nameRequired')} checked={s.prechat.nameRequired} onChange={(v) => set({ prechat: { ...s.prechat, nameRequired: v } })} />
        <Check label={t('emailRequired')} checked={s.prechat.emailRequired} onChange={(v) => set({ prechat: { ...s.prechat, emailRequired: v } })} />
      </fieldset>
      <fieldset>
        <legend>{t('businessHours')}</legend>
        <Check
          label={t('businessHoursEnabled')}
          checked={s.businessHours.enabled}
          onChange={(v) => set({ businessHours: { ...s.businessHours, enabled: v } })}
        />
        <label>
          {t('timeZone')}
          <input
            list="time-zones"
            value={s.businessHours.timezone}
            onInput={(e) => set({ businessHours: { ...s.businessHours, timezone: e.currentTarget.value } })}
          />
        </label>
        <datalist id="time-zones">
          {TIME_ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <table class="hours">
          <tbody>
            {WEEKDAYS.map((day) => {
              const hours = s.businessHours.days[day];
              const setDay = (value: { open: string; close: string } | undefined) => {
                const days = { ...s.businessHours.days };
                if (value) days[day] = value;
                else delete days[day];
                set({ businessHours: { ...s.businessHours, days } });
              };
              return (
                <tr key={day}>
                  <th scope="row">
                    <label class="check">
                      <input type="checkbox" checked={!!hours} onChange={(e) => setDay(e.currentTarget.checked ? { open: '09:00', close: '17:00' } : undefined)} />
                      {t(`day_${day}` as ConsoleText)}
                    </label>
                  </th>
                  <td>
                    {hours ? (
                      <>
                        <input type="time" aria-label={t('opensAt', { day: t(`day_${day}` as ConsoleText) })} value={hours.open} onInput={(e) => setDay({ ...hours, open: e.currentTarget.value })} />
                        {' – '}
                        <input type="time" aria-label={t('closesAt', { day: t(`day_${day}` as ConsoleText) })} value={hours.close} onInput={(e) => setDay({ ...hours, close: e.currentTarget.value })} />
                      </>
                    ) : (
                      <span class="muted">{t('closed')}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <label>
          {t('offlineMessage')}
          <textarea rows={2} maxLength={1000} value={s.offlineMessage} placeholder={t('offlineMessagePlaceholder')} onInput={(e) => set({ offlineMessage: e.currentTarget.value })} />
        </label>
      </fieldset>
      <fieldset>
        <legend>{t('agentFeatures')}</legend>
        <Check label={t('typingPreview')} hint={t('typingPreviewHint')} checked={s.typingPreview} onChange={(v) => set({ typingPreview: v })} />
        <Check label={t('agentsSeeAll')} hint={t('agentsSeeAllHint')} checked={s.agentsSeeAll} onChange={(v) => set({ agentsSeeAll: v })} />
      </fieldset>
      <SiteAlertFields settings={s} set={set} />
      <fieldset>
        <legend>{t('emailSettings')}</legend>
        <label>
          {t('emailAfterMinutes')}
          <input type="number" min={1} max={1440} value={s.emailAfterMinutes} onInput={(e) => set({ emailAfterMinutes: num(e.currentTarget.value) })} />
        </label>
      </fieldset>
      <ErrorLine error={error} />
      <Status text={status} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          {site ? t('saveChanges') : t('createSite')}
        </button>
      </div>
    </form>
  );
}

function SiteEmbed({ api, site, onRotated }: { api: AdminApi; site: SiteAdminDTO; onRotated(site: SiteAdminDTO): void }) {
  const snippetRef = useRef<HTMLTextAreaElement>(null);
  const secretRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [showSecret, setShowSecret] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [secretHint, SecretHint] = useHint();
  const [visitorKeyHint, VisitorKeyHint] = useHint();
  // Both rotations cannot be undone: asked first, then the updated site is shown.
  const rotate = (action: 'rotate-secret' | 'rotate-visitor-key', question: string, done: string) => async () => {
    if (!confirm(question)) return;
    try {
      onRotated(await api.post<SiteAdminDTO>(`/sites/${site.id}/${action}`));
      setCopied(done);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="admin-form" aria-labelledby="embed-title">
      <h2 id="embed-title">{t('embed')}</h2>
      <label>
        {t('snippet')}
        <textarea ref={snippetRef} readOnly rows={3} class="code" value={site.snippet} />
      </label>
      <div class="form-actions">
        <button type="button" onClick={async () => setCopied((await copyText(site.snippet, snippetRef.current)) ? t('copied') : t('pressCopy'))}>
          {t('copySnippet')}
        </button>
      </div>
      <p class="muted">
        {t('siteKey')}: <code>{site.publicKey}</code>
      </p>
      <label>
        {t('identitySecret')}
        {showSecret ? (
          <input ref={secretRef} readOnly class="code" type="text" value={site.identitySecret} aria-describedby={secretHint} />
        ) : (
          <input ref={secretRef} readOnly class="code" type="password" value={site.identitySecret} aria-describedby={secretHint} />
        )}
      </label>
      <SecretHint text={t('identitySecretHint')} />
      <div class="form-actions">
        <button type="button" aria-pressed={showSecret} onClick={() => setShowSecret(!showSecret)}>
          {showSecret ? t('hideSecret') : t('showSecret')}
        </button>
        <button type="button" class="danger" onClick={rotate('rotate-secret', t('rotateConfirm'), t('secretRotated'))}>
          {t('rotateSecret')}
        </button>
      </div>
      <VisitorKeyHint text={t('visitorKeyHint')} />
      <div class="form-actions">
        <button type="button" class="danger" aria-describedby={visitorKeyHint} onClick={rotate('rotate-visitor-key', t('rotateVisitorKeyConfirm'), t('visitorKeyRotated'))}>
          {t('rotateVisitorKey')}
        </button>
      </div>
      <ErrorLine error={error} />
      <Status text={copied} />
    </section>
  );
}

export function SitesAdmin({ api }: { api: AdminApi }) {
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const [selected, setSelected] = useState<string | 'new' | null>(null);
  // The site just saved, shown while the list reloads.
  const [fresh, setFresh] = useState<SiteAdminDTO | null>(null);
  const list = (sites.data ?? []).map((s) => (fresh?.id === s.id ? fresh : s));
  if (fresh && !list.some((s) => s.id === fresh.id)) list.push(fresh);
  const current = selected === 'new' ? null : (list.find((s) => s.id === selected) ?? list[0] ?? null);
  const creating = selected === 'new' || (sites.data !== null && list.length === 0);
  const replace = (site: SiteAdminDTO) => {
    setFresh(site);
    setSelected(site.id);
    sites.reload();
  };
  return (
    <AdminPage
      title={t('sites')}
      actions={
        <button type="button" class="primary" onClick={() => setSelected('new')}>
          {t('newSite')}
        </button>
      }
    >
      <ErrorLine error={sites.error} />
      <div class="admin-split">
        <ul class="admin-list" aria-label={t('sites')}>
          {list.map((site) => (
            <li key={site.id}>
              <button type="button" aria-current={!creating && current?.id === site.id ? 'true' : undefined} onClick={() => setSelected(site.id)}>
                <span class="swatch" style={{ background: site.widgetSettings.color }} aria-hidden="true" />
                <span class="name">{site.name}</span>
                <small>{site.allowedOrigins[0]}</small>
              </button>
            </li>
          ))}
        </ul>
        <div class="admin-detail">
          {creating ? (
            <SiteForm key="new" api={api} site={null} onSaved={replace} />
          ) : current ? (
            <>
              <SiteEmbed api={api} site={current} onRotated={replace} />
              <SiteForm key={current.id} api={api} site={current} onSaved={replace} />
              <SiteWebhooks key={`webhooks-${current.id}`} api={api} site={current} />
              <SiteBots key={`bots-${current.id}`} api={api} site={current} />
            </>
          ) : null}
        </div>
      </div>
    </AdminPage>
  );
}
