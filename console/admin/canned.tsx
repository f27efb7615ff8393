/** Canned responses: shortcut, title and text, for one site or every site. Agents insert them with `/shortcut`. */
import { useState } from 'preact/hooks';
import type { CannedResponseRequest, SiteAdminDTO } from '../../server/contract/admin.ts';
import type { CannedResponseDTO } from '../../server/contract/dto.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminPage, AdminTable, RowAction, ErrorLine, errorText, FormActions, SiteSelect, Status, useLoad } from './common.tsx';

const blank: CannedResponseRequest = { siteId: null, shortcut: '', title: '', body: '' };

function CannedForm({ api, sites, editing, onSaved, onCancel }: {
  api: AdminApi;
  sites: SiteAdminDTO[];
  editing: CannedResponseDTO | null;
  onSaved(): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState<CannedResponseRequest>(editing ? { siteId: editing.siteId, shortcut: editing.shortcut, title: editing.title, body: editing.body } : blank);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (editing) await api.patch(`/canned/${editing.id}`, draft);
      else await api.post('/canned', draft);
      setDraft(blank);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="admin-form" onSubmit={save} aria-labelledby="canned-form-title">
      <h2 id="canned-form-title">{editing ? t('editCanned', { shortcut: editing.shortcut }) : t('newCanned')}</h2>
      <div class="row">
        <label>
          {t('cannedSite')}
          <SiteSelect sites={sites} value={draft.siteId ?? ''} onChange={(siteId) => setDraft({ ...draft, siteId: siteId || null })} />
        </label>
        <label>
          {t('shortcut')}
          <input required pattern="/?[A-Za-z0-9_\-]{1,32}" maxLength={33} value={draft.shortcut} placeholder="thanks" onInput={(e) => setDraft({ ...draft, shortcut: e.currentTarget.value })} />
        </label>
        <label>
          {t('cannedTitle')}
          <input required maxLength={100} value={draft.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
        </label>
      </div>
      <label>
        {t('cannedBody')}
        <textarea required rows={4} maxLength={5000} value={draft.body} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
      </label>
      <ErrorLine error={error} />
      <FormActions submitLabel={editing ? t('saveChanges') : t('addCanned')} onCancel={editing ? onCancel : undefined} />
    </form>
  );
}

export function CannedAdmin({ api, onChange }: { api: AdminApi; onChange(): void }) {
  const canned = useLoad(() => api.get<CannedResponseDTO[]>('/canned'), [api]);
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const [editing, setEditing] = useState<CannedResponseDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const siteName = (id: string | null) => (id === null ? t('allSites') : (sites.data?.find((s) => s.id === id)?.name ?? id));
  const changed = (text: string) => {
    setEditing(null);
    setStatus(text);
    canned.reload();
    onChange();
  };
  const remove = async (c: CannedResponseDTO) => {
    if (!confirm(t('deleteCannedConfirm', { shortcut: c.shortcut }))) return;
    try {
      await api.delete(`/canned/${c.id}`);
      changed(t('deleted'));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <AdminPage title={t('cannedResponses')}>
      <ErrorLine error={canned.error ?? error} />
      <Status text={status} />
      <AdminTable caption={t('cannedResponses')} columns={[t('shortcut'), t('cannedTitle'), t('cannedSite'), t('cannedBody')]}>
        {(canned.data ?? []).map((c) => (
          <tr key={c.id}>
            <th scope="row">
              <code>/{c.shortcut}</code>
            </th>
            <td>{c.title}</td>
            <td>{siteName(c.siteId)}</td>
            <td class="clip">{c.body}</td>
            <td class="row-actions">
              <RowAction label={t('edit')} subject={`/${c.shortcut}`} onClick={() => setEditing(c)} />
              <RowAction label={t('delete')} subject={`/${c.shortcut}`} danger onClick={() => void remove(c)} />
            </td>
          </tr>
        ))}
        {canned.data?.length === 0 && (
          <tr>
            <td colSpan={5} class="empty">
              {t('noCanned')}
            </td>
          </tr>
        )}
      </AdminTable>
      {sites.data && (
        <CannedForm
          key={editing?.id ?? 'new'}
          api={api}
          sites={sites.data}
          editing={editing}
          onSaved={() => changed(t('saved'))}
          onCancel={() => setEditing(null)}
        />
      )}
    </AdminPage>
  );
}
