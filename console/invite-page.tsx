/** /console/invite#token=…: an invited agent chooses a password and is signed in. The token never leaves the fragment but in the POST body. */
import { useState } from 'preact/hooks';
import { AuthError, type AgentAuth } from './auth.ts';
import { t, type ConsoleText } from './i18n.ts';

export function inviteToken(): string | null {
  if (!/\/console\/invite\/?$/.test(location.pathname)) return null;
  return new URLSearchParams(location.hash.slice(1)).get('token');
}

export function InvitePage({ auth, token, onDone }: { auth: AgentAuth; token: string | null; onDone(): void }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ConsoleText | null>(token ? null : 'inviteInvalid');
  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const password = String(form.get('password'));
    if (password !== String(form.get('repeat'))) return setFailure('passwordsDiffer');
    if (!token) return;
    setBusy(true);
    setFailure(null);
    try {
      await auth.acceptInvite(token, password);
      // Forget the used token: the address bar shows the console.
      history.replaceState(null, '', '/console/');
      onDone();
    } catch (error) {
      const code = error instanceof AuthError ? error.code : null;
      setFailure(code === 'NOT_FOUND' ? 'inviteInvalid' : code === 'BAD_REQUEST' ? 'passwordTooShort' : 'signInFailed');
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit}>
        <h1>{t('inviteTitle')}</h1>
        <p>{t('inviteIntro')}</p>
        <label>
          {t('newPassword')}
          <input name="password" type="password" autocomplete="new-password" minLength={8} required />
        </label>
        <label>
          {t('repeatPassword')}
          <input name="repeat" type="password" autocomplete="new-password" minLength={8} required />
        </label>
        <p class="error" role="alert">
          {failure && t(failure)}
        </p>
        <button type="submit" disabled={busy || !token}>
          {t('setPassword')}
        </button>
      </form>
    </main>
  );
}
