/** Agents: create or invite (one-time link), role, capacity, sites, deactivate (their chats return to the queue). */
import { Fragment } from 'preact';
import { useRef, useState } from 'preact/hooks';
import type { AgentAdminDTO, CreateAgentRequest, InviteResult, SiteAdminDTO, UpdateAgentRequest } from '../../server/contract/admin.ts';
import type { AgentDTO, AgentRole } from '../../server/contract/dto.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminPage, AdminTable, RowAction, copyText, ErrorLine, errorText, FormActions, Status, useHint, useLoad } from './common.tsx';

interface AgentDraft {
  email: string;
  name: string;
  role: AgentRole;
  capacity: number;
  siteIds: string[];
  password: string;
}

function SitePicker({ sites, value, onChange }: { sites: SiteAdminDTO[]; value: string[]; onChange(ids: string[]): void }) {
  return (
    <fieldset class="site-picker">
      <legend>{t('agentSites')}</legend>
      {sites.map((site) => (
        <label key={site.id} class="check">
          <input
            type="checkbox"
            checked={value.includes(site.id)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, site.id] : value.filter((id) => id !== site.id))}
          />
          {site.name}
        </label>
      ))}
    </fieldset>
  );
}

function InviteLink({ url }: { url: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);
  const [hintId, Hint] = useHint();
  return (
    <div class="invite-link">
      <label>
        {t('inviteLink')}
        <input ref={input} readOnly class="code" value={url} aria-describedby={hintId} />
      </label>
      <Hint text={t('inviteLinkHint')} />
      <button type="button" onClick={async () => setCopied((await copyText(url, input.current)) ? t('copied') : t('pressCopy'))}>
        {t('copyLink')}
      </button>
      <Status text={copied} />
    </div>
  );
}

function CreateAgent({ api, sites, onCreated }: { api: AdminApi; sites: SiteAdminDTO[]; onCreated(): void }) {
  const blank: AgentDraft = { email: '', name: '', role: 'agent', capacity: 5, siteIds: sites.map((s) => s.id), password: '' };
  const [draft, setDraft] = useState<AgentDraft>(blank);
  const [result, setResult] = useState<InviteResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [passwordHint, PasswordHint] = useHint();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: CreateAgentRequest = {
      email: draft.email.trim(),
      name: draft.name.trim(),
      role: draft.role,
      capacity: draft.capacity,
      ...(draft.role === 'agent' ? { siteIds: draft.siteIds } : {}),
      ...(draft.password ? { password: draft.password } : {}),
    };
    try {
      setResult(await api.post<InviteResult>('/agents', body));
      setDraft({ ...blank });
      onCreated();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="new-agent-title">
      <h2 id="new-agent-title">{t('newAgent')}</h2>
      <div class="row">
        <label>
          {t('agentEmail')}
          <input type="email" required value={draft.email} onInput={(e) => setDraft({ ...draft, email: e.currentTarget.value })} />
        </label>
        <label>
          {t('agentName')}
          <input required maxLength={100} value={draft.name} onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        </label>
      </div>
      <div class="row">
        <label>
          {t('role')}
          <select value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.currentTarget.value as AgentRole })}>
            <option value="agent">{t('roleAgent')}</option>
            <option value="admin">{t('roleAdmin')}</option>
          </select>
        </label>
        <label>
          {t('capacity')}
          <input type="number" min={1} max={100} required value={draft.capacity} onInput={(e) => setDraft({ ...draft, capacity: Number(e.currentTarget.value) })} />
        </label>
        <div class="field">
          <label>
            {t('initialPassword')}
            <input type="password" minLength={8} autocomplete="new-password" aria-describedby={passwordHint} value={draft.password} onInput={(e) => setDraft({ ...draft, password: e.currentTarget.value })} />
          </label>
          <PasswordHint text={t('initialPasswordHint')} />
        </div>
      </div>
      {draft.role === 'agent' ? <SitePicker sites={sites} value={draft.siteIds} onChange={(siteIds) => setDraft({ ...draft, siteIds })} /> : <p class="muted">{t('adminsAllSites')}</p>}
      <ErrorLine error={error} />
      <FormActions submitLabel={draft.password ? t('createAgent') : t('inviteAgent')} busy={busy} />
      {result && (
        <div class="result" role="status">
          <p>{t('agentCreated', { name: result.agent.name })}</p>
          {result.inviteUrl && <InviteLink url={result.inviteUrl} />}
        </div>
      )}
    </form>
  );
}

function EditAgent({ api, agent, sites, onDone }: { api: AdminApi; agent: AgentAdminDTO; sites: SiteAdminDTO[]; onDone(): void }) {
  const [name, setName] = useState(agent.name);
  const [role, setRole] = useState<AgentRole>(agent.role);
  const [capacity, setCapacity] = useState(agent.capacity);
  const [siteIds, setSiteIds] = useState<string[]>(agent.siteIds === 'all' ? sites.map((s) => s.id) : agent.siteIds);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const body: UpdateAgentRequest = { name: name.trim(), role, capacity, ...(role === 'agent' ? { siteIds } : {}) };
    try {
      await api.patch<AgentAdminDTO>(`/agents/${agent.id}`, body);
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="admin-form inline" onSubmit={save} aria-label={t('editAgent', { name: agent.name })}>
      <div class="row">
        <label>
          {t('agentName')}
          <input required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('role')}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as AgentRole)}>
            <option value="agent">{t('roleAgent')}</option>
            <option value="admin">{t('roleAdmin')}</option>
          </select>
        </label>
        <label>
          {t('capacity')}
          <input type="number" min={1} max={100} value={capacity} onInput={(e) => setCapacity(Number(e.currentTarget.value))} />
        </label>
      </div>
      {role === 'agent' && <SitePicker sites={sites} value={siteIds} onChange={setSiteIds} />}
      <ErrorLine error={error} />
      <FormActions submitLabel={t('saveChanges')} onCancel={onDone} />
    </form>
  );
}

export function AgentsAdmin({ api, me }: { api: AdminApi; me: AgentDTO }) {
  const agents = useLoad(() => api.get<AgentAdminDTO[]>('/agents'), [api]);
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const [editing, setEditing] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ id: string; url: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const siteList = sites.data ?? [];
  const siteNames = (agent: AgentAdminDTO) =>
    agent.siteIds === 'all' ? t('allSites') : agent.siteIds.map((id) => siteList.find((s) => s.id === id)?.name ?? id).join(', ') || '—';

  const setActive = async (agent: AgentAdminDTO, active: boolean) => {
    if (!active && !confirm(t('deactivateConfirm', { name: agent.name }))) return;
    setError(null);
    try {
      const updated = await api.patch<AgentAdminDTO>(`/agents/${agent.id}`, { active });
      setStatus(active ? t('agentReactivated', { name: updated.name }) : t('agentDeactivated', { name: updated.name }));
      agents.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const reinvite = async (agent: AgentAdminDTO) => {
    try {
      const result = await api.post<InviteResult>(`/agents/${agent.id}/invite`);
      if (result.inviteUrl) setInvite({ id: agent.id, url: result.inviteUrl });
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <AdminPage title={t('agents')}>
      <ErrorLine error={agents.error ?? error} />
      <Status text={status} />
      <AdminTable caption={t('agents')} columns={[t('agentName'), t('role'), t('presence'), t('loadColumn'), t('agentSites')]}>
        {(agents.data ?? []).map((agent) => (
          <Fragment key={agent.id}>
            <tr class={agent.active ? undefined : 'inactive'}>
              <th scope="row">
                {agent.name}
                <small>{agent.email}</small>
              </th>
              <td>{agent.role === 'admin' ? t('roleAdmin') : t('roleAgent')}</td>
              <td>{!agent.active ? t('deactivated') : agent.connected ? t(agent.status) : t('offline')}</td>
              <td>{t('load', { load: agent.load, capacity: agent.capacity })}</td>
              <td>{siteNames(agent)}</td>
              <td class="row-actions">
                <RowAction
                  label={t('edit')}
                  subject={agent.name}
                  expanded={editing === agent.id}
                  onClick={() => setEditing(editing === agent.id ? null : agent.id)}
                />
                {agent.id !== me.id &&
                  (agent.active ? (
                    <>
                      <RowAction label={t('newInviteLink')} subject={agent.name} onClick={() => void reinvite(agent)} />
                      <RowAction label={t('deactivate')} subject={agent.name} danger onClick={() => void setActive(agent, false)} />
                    </>
                  ) : (
                    <RowAction label={t('reactivate')} subject={agent.name} onClick={() => void setActive(agent, true)} />
                  ))}
              </td>
            </tr>
            {editing === agent.id && (
              <tr key={`${agent.id}-edit`}>
                <td colSpan={6}>
                  <EditAgent
                    api={api}
                    agent={agent}
                    sites={siteList}
                    onDone={() => {
                      setEditing(null);
                      agents.reload();
                    }}
                  />
                </td>
              </tr>
            )}
            {invite?.id === agent.id && (
              <tr key={`${agent.id}-invite`}>
                <td colSpan={6}>
                  <InviteLink url={invite.url} />
                </td>
              </tr>
            )}
          </Fragment>
        ))}
      </AdminTable>
      {sites.data && <CreateAgent api={api} sites={siteList} onCreated={() => agents.reload()} />}
    </AdminPage>
  );
}
