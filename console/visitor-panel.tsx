/** Who the visitor is and where they are: identity, current page (live), pages visited, device, local time, attributes, history, emails. */
import type { ConversationDetail } from '../server/contract/events.ts';
import type { ComponentChildren } from 'preact';
import type { ConversationSummaryDTO } from '../server/contract/dto.ts';
import { safeHref } from '../client/rich-text.tsx';
import { dateTimeFormat, messagePreview, timeFormat, useNow, visitorLabel, visitorLabelVerified } from './format.ts';
import { locale, t } from './i18n.ts';
import { parseUserAgent } from './ua.ts';
import { ConversationEmails } from './conversation-emails.tsx';

function localTime(now: number, timezone: string | null): string | null {
  if (!timezone) return null;
  try {
    return new Intl.DateTimeFormat(locale, { timeZone: timezone, weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(now);
  } catch {
    return null;
  }
}

function languageName(tag: string | null): string | null {
  if (!tag) return null;
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language' }).of(tag);
    return name && name !== tag ? `${name} (${tag})` : tag;
  } catch {
    return tag;
  }
}

function Link({ url, text }: { url: string; text?: string | null }) {
  const href = safeHref(url);
  return href ? (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" title={url}>
      {text || url}
    </a>
  ) : (
    <span>{text || url}</span>
  );
}

/** Next to one field the site signed (identify's hash for the user id, profileHash for name and email). */
function VerifiedBadge() {
  return (
    <span class="verified" title={t('verifiedTitle')}>
      {' '}
      ✓ {t('verified')}
    </span>
  );
}

function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function attributeText(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

interface VisitorPanelProps {
  detail: ConversationDetail | null;
  conversation: ConversationSummaryDTO;
  onOpen(conversation: ConversationSummaryDTO): void;
  isAdmin: boolean;
}

export function VisitorPanel({ detail, conversation, onOpen, isAdmin }: VisitorPanelProps) {
  const now = useNow(30_000);
  if (!detail) {
    return (
      <aside class="context" aria-label={t('visitorContext')}>
        <p class="placeholder">{t('loading')}</p>
      </aside>
    );
  }
  const { visitor, pages, earlier } = detail;
  const ua = parseUserAgent(visitor.userAgent);
  const time = localTime(now, visitor.timezone);
  const attributes = Object.entries(visitor.attributes);
  return (
    <aside class="context" aria-label={t('visitorContext')}>
      <h2>
        {/* bdi: a name written right to left (or with a bidi override) cannot reorder the badge after it. */}
        <bdi>{visitorLabel({ visitor })}</bdi>
        {visitorLabelVerified({ visitor }) && <VerifiedBadge />}
      </h2>
      <dl>
        {visitor.email && (
          <Field label={t('email')}>
            <a href={`mailto:${visitor.email}`}>{visitor.email}</a>
            {visitor.emailVerified && <VerifiedBadge />}
          </Field>
        )}
        {visitor.externalId && (
          <Field label={t('userId')}>
            {visitor.externalId}
            {visitor.verified && <VerifiedBadge />}
          </Field>
        )}
        <Field label={t('currentPage')}>
          {visitor.pageUrl ? (
            <span class="current-page">
              <Link url={visitor.pageUrl} text={visitor.pageTitle} />
              <small>{visitor.pageUrl}</small>
            </span>
          ) : (
            '—'
          )}
        </Field>
        <Field label={t('referrer')}>{visitor.referrer ? <Link url={visitor.referrer} /> : t('direct')}</Field>
        <Field label={t('browser')}>{[ua.browser, ua.os].filter(Boolean).join(' · ') || '—'}</Field>
        <Field label={t('language')}>{languageName(visitor.locale) ?? '—'}</Field>
        <Field label={t('localTime')}>{time ? `${time} (${visitor.timezone})` : '—'}</Field>
        <Field label={t('firstSeen')}>{dateTimeFormat.format(new Date(visitor.createdAt))}</Field>
      </dl>
      {attributes.length > 0 && (
        <section aria-labelledby="attributes-heading">
          <h3 id="attributes-heading">{t('attributes')}</h3>
          <dl class="attributes">
            {attributes.map(([key, value]) => (
              <Field key={key} label={key}>
                {attributeText(value)}
              </Field>
            ))}
          </dl>
        </section>
      )}
      <ConversationEmails emails={detail.emails} emailEnabled={detail.emailEnabled} isAdmin={isAdmin} />
      <section aria-labelledby="pages-heading">
        <h3 id="pages-heading">
          {t('pagesVisited')} <span class="count">{pages.length}</span>
        </h3>
        {pages.length === 0 ? (
          <p class="empty">—</p>
        ) : (
          <ol class="pages">
            {pages.map((page, i) => (
              <li key={`${page.at}-${i}`}>
                <Link url={page.url} text={page.title} />
                <time dateTime={page.at}>{timeFormat.format(new Date(page.at))}</time>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="earlier-heading">
        <h3 id="earlier-heading">
          {t('earlierConversations')} <span class="count">{earlier.length}</span>
        </h3>
        {earlier.length === 0 ? (
          <p class="empty">{t('noEarlier')}</p>
        ) : (
          <ul class="earlier">
            {earlier
              .filter((c) => c.id !== conversation.id)
              .map((c) => (
                <li key={c.id}>
                  <button type="button" class="link" onClick={() => onOpen(c)}>
                    {dateTimeFormat.format(new Date(c.queuedAt))}
                  </button>{' '}
                  <span class="preview">{messagePreview(c.lastMessage)}</span>
                </li>
              ))}
          </ul>
        )}
      </section>
    </aside>
  );
}
