/** Invite page, login form or workspace, following the session. */
import { useEffect, useState } from 'preact/hooks';
import type { AgentAuth } from './auth.ts';
import { InvitePage, inviteToken } from './invite-page.tsx';
import { LoginForm } from './login-form.tsx';
import { Workspace } from './workspace.tsx';

export function App({ auth }: { auth: AgentAuth }) {
  const [session, setSession] = useState(auth.session);
  const [invite, setInvite] = useState(() => (/\/console\/invite\/?$/.test(location.pathname) ? { token: inviteToken() } : null));
  useEffect(() => auth.subscribe(setSession), [auth]);
  if (invite) return <InvitePage auth={auth} token={invite.token} onDone={() => setInvite(null)} />;
  // Keyed by agent, so signing in as someone else starts a fresh inbox.
  return session ? <Workspace key={session.agent.id} auth={auth} agent={session.agent} /> : <LoginForm auth={auth} />;
}
