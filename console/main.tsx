/** The agent console's entry: resume the session from the refresh cookie, then show login or inbox. */
import { render } from 'preact';
import { App } from './app.tsx';
import { AgentAuth } from './auth.ts';
import { locale } from './i18n.ts';
import { registerServiceWorker } from './push-device.ts';

const auth = new AgentAuth();
// Notification clicks need it, and browsers offer to install the console once it runs.
registerServiceWorker()?.catch(() => undefined);
document.documentElement.lang = locale;
// Resume before the first paint, so a signed-in agent never sees the login form flash.
await auth.refresh();
const root = document.getElementById('app');
if (root) render(<App auth={auth} />, root);
