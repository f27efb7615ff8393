/** Email and password sign-in. */
import { useState } from 'preact/hooks';
import { AuthError, type AgentAuth } from './auth.ts';
import { t, type ConsoleText } from './i18n.ts';

function failureText(error: unknown): ConsoleText {
  const code = error instanceof AuthError ? error.code : null;
  if (code === 'UNAUTHORIZED' || code === 'BAD_REQUEST') return 'wrongCredentials';
  if (code === 'RATE_LIMITED') return 'tooManyAttempts';
  return 'signInFailed';
}

export function LoginForm({ auth }: { auth: AgentAuth }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ConsoleText | null>(null);
  const submit = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setFailure(null);
    try {
      await auth.login(String(form.get('email')), String(form.get('password')));
    } catch (error) {
      setFailure(failureText(error));
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit}>
        <h1>{t('signInTitle')}</h1>
        <label>
          {t('email')}
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <p class="error" role="alert">
          {failure && t(failure)}
        </p>
        <button type="submit" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </main>
  );
}
