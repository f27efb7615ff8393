/** The site's optional pre-chat form: name and email, each required or not per the site's settings. */
import { useState } from 'preact/hooks';
import type { PrechatSettings, VisitorDTO } from '../../server/contract/dto.ts';
import type { Translate } from '../../client/i18n.ts';
import { Field } from './field.tsx';
import type { FrameText } from './i18n.ts';

interface PrechatFormProps {
  settings: PrechatSettings;
  visitor: VisitorDTO | null;
  t: Translate<FrameText>;
  onSubmit(details: { name?: string; email?: string }): Promise<void>;
}

export function PrechatForm({ settings, visitor, t, onSubmit }: PrechatFormProps) {
  const [failed, setFailed] = useState(false);
  const submit = (event: SubmitEvent): void => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(data.get('name') ?? '').trim();
    const email = String(data.get('email') ?? '').trim();
    onSubmit({ name: name || undefined, email: email || undefined }).then(() => setFailed(false), () => setFailed(true));
  };
  return (
    <form class="form prechat" onSubmit={submit}>
      <p>{t('prechatIntro')}</p>
      <Field label={t('name')} optionalLabel={t('optional')} name="name" autoComplete="name" maxLength={100} required={settings.nameRequired} defaultValue={visitor?.name ?? ''} />
      <Field label={t('email')} optionalLabel={t('optional')} name="email" type="email" autoComplete="email" maxLength={254} required={settings.emailRequired} defaultValue={visitor?.email ?? ''} />
      <p class="error" role="alert">
        {failed && t('somethingWentWrong')}
      </p>
      <button type="submit" class="primary">
        {t('startChat')}
      </button>
    </form>
  );
}
