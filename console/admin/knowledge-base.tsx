/** The knowledge base of one site: its articles (write, preview, publish, unpublish, delete) and its evaluation set. */
import { useEffect, useState } from 'preact/hooks';
import type { SiteAdminDTO } from '../../server/contract/admin.ts';
import type { ArticleDTO } from '../../server/contract/knowledge-base.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { AdminPage, AdminTable, ErrorLine, errorText, RowAction, Status, useLoad } from './common.tsx';
import { ArticleForm } from './kb-article-form.tsx';
import { KbEvaluation } from './kb-evaluation.tsx';

export function KnowledgeBaseAdmin({ api }: { api: AdminApi }) {
  const sites = useLoad(() => api.get<SiteAdminDTO[]>('/sites'), [api]);
  const [siteId, setSiteId] = useState('');
  useEffect(() => {
    if (!siteId && sites.data?.[0]) setSiteId(sites.data[0].id);
  }, [sites.data, siteId]);
  return (
    <AdminPage
      title={t('knowledgeBase')}
      actions={
        <label class="kb-site">
          {t('kbSite')}{' '}
          <select value={siteId} onChange={(e) => setSiteId(e.currentTarget.value)}>
            {(sites.data ?? []).map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <ErrorLine error={sites.error} />
      {siteId ? <SiteArticles key={siteId} api={api} siteId={siteId} /> : <p>{t('kbChooseSite')}</p>}
    </AdminPage>
  );
}

function SiteArticles({ api, siteId }: { api: AdminApi; siteId: string }) {
  const articles = useLoad(() => api.get<ArticleDTO[]>(`/sites/${siteId}/kb/articles`), [api, siteId]);
  const [editing, setEditing] = useState<ArticleDTO | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const changed = (text: string) => {
    setEditing(null);
    setStatus(text);
    articles.reload();
  };
  const act = async (action: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await action();
      changed(done);
    } catch (err) {
      setError(errorText(err));
    }
  };
  const setPublished = (a: ArticleDTO, published: boolean) =>
    act(() => api.patch(`/sites/${siteId}/kb/articles/${a.id}`, { slug: a.slug, title: a.title, body: a.body, tags: a.tags, published }), t('saved'));
  const remove = (a: ArticleDTO) => {
    if (confirm(t('kbDeleteConfirm', { title: a.title }))) void act(() => api.delete(`/sites/${siteId}/kb/articles/${a.id}`), t('deleted'));
  };

  return (
    <>
      <ErrorLine error={articles.error ?? error} />
      <Status text={status} />
      <AdminTable caption={t('kbArticles')} columns={[t('kbTitle'), t('kbSlug'), t('kbTags'), t('kbState'), t('kbUpdated')]}>
        {(articles.data ?? []).map((a) => (
          <tr key={a.id}>
            <th scope="row">{a.title}</th>
            <td>
              <code>{a.slug}</code>
            </td>
            <td>{a.tags.join(', ')}</td>
            <td>{a.published ? t('kbPublished') : t('kbDraft')}</td>
            <td>{new Date(a.updatedAt).toLocaleString()}</td>
            <td class="row-actions">
              <RowAction label={t('edit')} subject={a.title} onClick={() => setEditing(a)} />
              <RowAction label={a.published ? t('kbUnpublish') : t('kbPublish')} subject={a.title} onClick={() => void setPublished(a, !a.published)} />
              {a.published && (
                <a href={a.url} target="_blank" rel="noopener noreferrer">
                  {t('kbView')}
                  <span class="visually-hidden"> {a.title}</span>
                </a>
              )}
              <RowAction label={t('delete')} subject={a.title} danger onClick={() => remove(a)} />
            </td>
          </tr>
        ))}
        {articles.data?.length === 0 && (
          <tr>
            <td colSpan={6} class="empty">
              {t('kbNoArticles')}
            </td>
          </tr>
        )}
      </AdminTable>
      <ArticleForm key={editing?.id ?? 'new'} api={api} siteId={siteId} editing={editing} onSaved={() => changed(t('saved'))} onCancel={() => setEditing(null)} />
      {articles.data && <KbEvaluation api={api} siteId={siteId} articles={articles.data} />}
    </>
  );
}
