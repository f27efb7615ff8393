/** Login form or workspace, following the session. */
import { useEffect, useState } from 'preact/hooks';
import type { AgentAuth } from './auth.ts';
import { LoginForm } from './login-form.tsx';
import { Workspace } from './workspace.tsx';

export function App({ auth }: { auth: AgentAuth }) {
  const [session, setSession] = useState(auth.session);
  useEffect(() => auth.subscribe(setSession), [auth]);
  // Keyed by agent, so signing in as someone else starts a fresh inbox.
  return session ? <Workspace key={session.agent.id} auth={auth} agent={session.agent} /> : <LoginForm auth={auth} />;
}
