/** A site's webhooks: endpoints and the events they get, the secret shown once, the delivery log, replay and test. */
import { useState } from 'preact/hooks';
import type { SiteAdminDTO } from '../../server/contract/admin.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookDeliveryDTO, type WebhookEndpointDTO, type WebhookEventType, type WebhookSecretResponse } from '../../server/contract/webhooks.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminTable, ErrorLine, errorText, RowAction, Status, useLoad, useRowActions } from './common.tsx';

function DeliveryLog({ api, base, endpoint }: { api: AdminApi; base: string; endpoint: WebhookEndpointDTO }) {
  const log = useLoad(() => api.get<WebhookDeliveryDTO[]>(`${base}/${endpoint.id}/deliveries`), [api, base, endpoint.id]);
  const [error, setError] = useState<string | null>(null);
  const replay = async (delivery: WebhookDeliveryDTO) => {
    try {
      await api.post(`${base}/deliveries/${delivery.id}/replay`);
      log.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <ErrorLine error={log.error ?? error} />
      <AdminTable caption={t('webhookDeliveries')} columns={[t('webhookWhen'), t('webhookEvent'), t('webhookStatus'), t('webhookResponse'), t('webhookLatency')]}>
        {(log.data ?? []).map((d) => (
          <tr key={d.id}>
            <td>{new Date(d.createdAt).toLocaleString()}</td>
            <td>
              <code>{d.eventType}</code>
            </td>
            <td>{t(d.status === 'delivered' ? 'webhookDelivered' : d.status === 'failed' ? 'webhookFailed' : 'webhookPending')} ({d.attempts})</td>
            <td>
              {d.lastStatusCode ?? ''} {d.lastError ?? ''}
              {d.lastResponseSnippet && <pre class="code">{d.lastResponseSnippet}</pre>}
            </td>
            <td>{d.lastLatencyMs === null ? '' : `${d.lastLatencyMs} ms`}</td>
            <td>
              <RowAction label={t('webhookReplay')} subject={d.webhookId} onClick={() => void replay(d)} />
            </td>
          </tr>
        ))}
      </AdminTable>
    </>
  );
}

function NewWebhook({ api, base, onCreated }: { api: AdminApi; base: string; onCreated(secret: string): void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>(['message.created']);
  const [error, setError] = useState<string | null>(null);
  const toggle = (event: WebhookEventType, on: boolean) => setEvents(on ? [...events, event] : events.filter((e) => e !== event));
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const created = await api.post<WebhookSecretResponse>(base, { url: url.trim(), events });
      setUrl('');
      onCreated(created.secret);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="admin-form" onSubmit={submit}>
      <label>
        {t('webhookUrl')}
        <input type="url" required maxLength={2000} value={url} placeholder="https://example.com/parley" onInput={(e) => setUrl(e.currentTarget.value)} />
      </label>
      <fieldset>
        <legend>{t('webhookEvents')}</legend>
        {WEBHOOK_EVENT_TYPES.map((event) => (
          <label class="check" key={event}>
            <input type="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.currentTarget.checked)} />
            <code>{event}</code>
          </label>
        ))}
      </fieldset>
      <ErrorLine error={error} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={events.length === 0}>
          {t('webhookAdd')}
        </button>
      </div>
    </form>
  );
}

export function SiteWebhooks({ api, site }: { api: AdminApi; site: SiteAdminDTO }) {
  const base = `/sites/${site.id}/webhooks`;
  const endpoints = useLoad(() => api.get<WebhookEndpointDTO[]>(base), [api, base]);
  const [open, setOpen] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const { status, error, act } = useRowActions(endpoints.reload);
  return (
    <section class="admin-form" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t('webhooks')}</h2>
      <ErrorLine error={endpoints.error ?? error} />
      <AdminTable caption={t('webhooks')} columns={[t('webhookUrl'), t('webhookEvents'), t('webhookStatus')]}>
        {(endpoints.data ?? []).map((w) => (
          <tr key={w.id}>
            <td>
              <code>{w.url}</code>
            </td>
            <td>{w.events.join(', ')}</td>
            <td>
              {w.enabled ? t('webhookEnabled') : t('webhookDisabled', { reason: w.disabledReason ?? '' })}
              {w.lastDelivery && ` · ${w.lastDelivery.lastStatusCode ?? w.lastDelivery.lastError ?? w.lastDelivery.status}`}
            </td>
            <td>
              <RowAction label={t('webhookLog')} subject={w.url} expanded={open === w.id} onClick={() => setOpen(open === w.id ? null : w.id)} />
              <RowAction label={t('webhookTest')} subject={w.url} onClick={act(() => api.post(`${base}/${w.id}/test`), t('webhookTestQueued'))} />
              {!w.enabled && <RowAction label={t('webhookEnable')} subject={w.url} onClick={act(() => api.post(`${base}/${w.id}/enable`), t('webhookEnabled'))} />}
              <RowAction
                label={t('rotateSecret')}
                subject={w.url}
                danger
                onClick={act(async () => setSecret((await api.post<WebhookSecretResponse>(`${base}/${w.id}/rotate-secret`)).secret), t('webhookRotated'))}
              />
              <RowAction label={t('webhookDelete')} subject={w.url} danger onClick={act(async () => confirm(t('webhookDeleteConfirm')) && api.delete(`${base}/${w.id}`), t('webhookDeleted'))} />
            </td>
          </tr>
        ))}
      </AdminTable>
      {open && endpoints.data?.find((w) => w.id === open) && <DeliveryLog api={api} base={base} endpoint={endpoints.data.find((w) => w.id === open)!} />}
      {secret && (
        <p class="saved" role="status">
          {t('webhookSecretOnce')} <code>{secret}</code>
        </p>
      )}
      <Status text={status} />
      <NewWebhook
        api={api}
        base={base}
        onCreated={(created) => {
          setSecret(created);
          endpoints.reload();
        }}
      />
    </section>
  );
}
