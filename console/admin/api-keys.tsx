/**
 * API keys for the REST API v1: create (the key is shown once, here), list with last use, revoke. A key acts as
 * one agent (the admin creating it unless another is chosen, e.g. an agent account made for a bot).
 */
import { useRef, useState } from 'preact/hooks';
import type { AgentAdminDTO, SiteAdminDTO } from '../../server/contract/admin.ts';
import { API_SCOPES, type ApiKeyDTO, type ApiScope, type CreateApiKeyRequest, type CreatedApiKey } from '../../server/contract/api-keys.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminPage, AdminTable, copyText, ErrorLine, errorText, RowAction, SiteSelect, Status, useLoad } from './common.tsx';

function keyState(key: ApiKeyDTO): string {
  if (key.revokedAt) return t('apiKeyRevoked');
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return t('apiKeyExpired');
  return t('apiKeyActive');
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : t('apiKeyNever'));

function NewKey({ api, sites, agents, onCreated }: { api: AdminApi; sites: SiteAdminDTO[]; agents: AgentAdminDTO[]; onCreated(): void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>(['conversations:read']);
  const [siteId, setSiteId] = useState('');
  const [days, setDays] = useState('');
  const [agentId, setAgentId] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const keyRef = useRef<HTMLInputElement>(null);
  const toggle = (scope: ApiScope, on: boolean) => setScopes(on ? [...scopes, scope] : scopes.filter((s) => s !== scope));
  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const request: CreateApiKeyRequest = { name, scopes, siteId: siteId || null, ...(agentId && { agentId }), ...(days && { expiresInDays: Number(days) }) };
    try {
      setCreated(await api.post<CreatedApiKey>('/api-keys', request));
      setName('');
      onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="admin-form" onSubmit={create} aria-labelledby="api-key-form-title">
      <h2 id="api-key-form-title">{t('newApiKey')}</h2>
      <div class="row">
        <label>
          {t('apiKeyName')}
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('apiKeySite')}
          <SiteSelect sites={sites} value={siteId} onChange={setSiteId} />
        </label>
        <label>
          {t('apiKeyActsAs')}
          <select value={agentId} onChange={(e) => setAgentId(e.currentTarget.value)}>
            <option value="">{t('apiKeyActsAsMe')}</option>
            {agents.filter((agent) => agent.active).map((agent) => (
              <option key={agent.id} value={agent.id}>
                {agent.name} ({agent.email})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('apiKeyExpiresDays')}
          <input type="number" min={1} max={3650} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </label>
      </div>
      <fieldset>
        <legend>{t('apiKeyScopes')}</legend>
        {API_SCOPES.map((scope) => (
          <label key={scope} class="inline">
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) => toggle(scope, e.currentTarget.checked)} /> <code>{scope}</code>
          </label>
        ))}
      </fieldset>
      <ErrorLine error={error} />
      <div class="form-actions">
        <button type="submit" class="primary" disabled={scopes.length === 0}>
          {t('createApiKey')}
        </button>
      </div>
      {created && (
        <div role="status">
          <label>
            {t('apiKeyShownOnce')}
            <input ref={keyRef} readOnly class="code" value={created.key} />
          </label>
          <button type="button" onClick={async () => setCopied((await copyText(created.key, keyRef.current)) ? t('copied') : t('pressCopy'))}>
            {t('copyApiKey')}
          </button>
          <Status text={copied} />
        </div>
      )}
    </form>
  );
}

export function ApiKeysAdmin({ api }: { api: AdminApi }) {
  const keys = useLoad(() => api.get<ApiKeyDTO[]>('/api-keys'), [api]);
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const agents = useLoad(() => api.get<AgentAdminDTO[]>('/agents'), [api]);
  const [error, setError] = useState<string | null>(null);
  const siteName = (id: string | null) => (id === null ? t('allSites') : (sites.data?.find((s) => s.id === id)?.name ?? id));
  const revoke = async (key: ApiKeyDTO) => {
    if (!confirm(t('revokeApiKeyConfirm', { name: key.name }))) return;
    try {
      await api.delete(`/api-keys/${key.id}`);
      keys.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <AdminPage title={t('apiKeys')} actions={<a href="/api/v1/docs">{t('apiDocs')}</a>}>
      <ErrorLine error={keys.error ?? error} />
      <AdminTable caption={t('apiKeys')} columns={[t('apiKeyName'), t('apiKeyScopes'), t('apiKeySite'), t('apiKeyLastUsed'), t('apiKeyState')]}>
        {(keys.data ?? []).map((key) => (
          <tr key={key.id}>
            <th scope="row">{key.name}</th>
            <td>{key.scopes.join(', ')}</td>
            <td>{siteName(key.siteId)}</td>
            <td>{when(key.lastUsedAt)}</td>
            <td>{keyState(key)}</td>
            <td class="row-actions">{!key.revokedAt && <RowAction label={t('revoke')} subject={key.name} danger onClick={() => void revoke(key)} />}</td>
          </tr>
        ))}
        {keys.data?.length === 0 && (
          <tr>
            <td colSpan={6} class="empty">
              {t('noApiKeys')}
            </td>
          </tr>
        )}
      </AdminTable>
      {sites.data && agents.data && <NewKey api={api} sites={sites.data} agents={agents.data} onCreated={keys.reload} />}
    </AdminPage>
  );
}
