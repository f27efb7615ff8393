/** The article editor: title, slug, tags, published, and the Markdown text beside a preview drawn by the chat's renderer. */
import { useState } from 'preact/hooks';
import { ArticleBody } from '../../client/article-markdown.tsx';
import { ARTICLE_LIMITS, type ArticleDTO, type ArticleRequest } from '../../server/contract/knowledge-base.ts';
import type { AdminApi } from '../api.ts';
import { t } from '../i18n.ts';
import { ErrorLine, errorText, FormActions } from './common.tsx';

const blank: ArticleRequest = { slug: '', title: '', body: '', tags: [], published: false };

/** A slug suggested from the title while the admin has not typed one. */
const slugOf = (title: string) =>
  title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, ARTICLE_LIMITS.slug);

export function ArticleForm({ api, siteId, editing, onSaved, onCancel }: {
  api: AdminApi;
  siteId: string;
  editing: ArticleDTO | null;
  onSaved(): void;
  onCancel(): void;
}) {
  const [draft, setDraft] = useState<ArticleRequest>(
    editing ? { slug: editing.slug, title: editing.title, body: editing.body, tags: editing.tags, published: editing.published } : blank,
  );
  const [tags, setTags] = useState(draft.tags.join(', '));
  const [slugTyped, setSlugTyped] = useState(editing !== null);
  const [error, setError] = useState<string | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const body = { ...draft, tags: tags.split(',').map((tag) => tag.trim()).filter(Boolean) };
    try {
      if (editing) await api.patch(`/sites/${siteId}/kb/articles/${editing.id}`, body);
      else await api.post(`/sites/${siteId}/kb/articles`, body);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="admin-form" onSubmit={save} aria-labelledby="kb-form-title">
      <h2 id="kb-form-title">{editing ? t('kbEditArticle', { title: editing.title }) : t('kbNewArticle')}</h2>
      <div class="row">
        <label>
          {t('kbTitle')}
          <input
            required
            maxLength={ARTICLE_LIMITS.title}
            value={draft.title}
            onInput={(e) => {
              const title = e.currentTarget.value;
              setDraft({ ...draft, title, slug: slugTyped ? draft.slug : slugOf(title) });
            }}
          />
        </label>
        <label>
          {t('kbSlug')}
          <input
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            maxLength={ARTICLE_LIMITS.slug}
            aria-describedby="kb-slug-hint"
            value={draft.slug}
            onInput={(e) => {
              setSlugTyped(true);
              setDraft({ ...draft, slug: e.currentTarget.value });
            }}
          />
          <small id="kb-slug-hint">{t('kbSlugHint')}</small>
        </label>
        <label>
          {t('kbTags')}
          <input value={tags} aria-describedby="kb-tags-hint" onInput={(e) => setTags(e.currentTarget.value)} />
          <small id="kb-tags-hint">{t('kbTagsHint')}</small>
        </label>
      </div>
      <label class="check">
        <input type="checkbox" checked={draft.published} onChange={(e) => setDraft({ ...draft, published: e.currentTarget.checked })} />
        {t('kbPublished')}
      </label>
      <div class="kb-editor">
        <label>
          {t('kbBody')}
          <textarea rows={14} maxLength={ARTICLE_LIMITS.body} value={draft.body} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
        </label>
        <section class="kb-preview" aria-labelledby="kb-preview-title">
          <h3 id="kb-preview-title">{t('kbPreview')}</h3>
          <div class="kb-article" dir="auto">
            <ArticleBody markdown={draft.body} />
          </div>
        </section>
      </div>
      <ErrorLine error={error} />
      <FormActions submitLabel={editing ? t('saveChanges') : t('kbAddArticle')} onCancel={editing ? onCancel : undefined} />
    </form>
  );
}
