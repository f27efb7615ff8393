/**
 * An agent's console in a process of its own, so a test can freeze it (SIGSTOP: no FIN, no goodbye, the
 * socket just goes silent) and thaw it. `node --import tsx agent-process.ts URL EMAIL PASSWORD`.
 * Prints one JSON line per (re)connection: {"agentId","connects","mine"}.
 */
import { ResilientAgent } from '../../support/resilient-client.ts';

const POLL_MS = 100;
const [url, email, password] = process.argv.slice(2);
if (!url || !email || !password) throw new Error('usage: agent-process.ts URL EMAIL PASSWORD');

const agent = new ResilientAgent({ url, origin: url, name: 'agent in a child process' }, { email, password });
await agent.start();
let reported = 0;
setInterval(() => {
  if (agent.stats.connects === reported || !agent.connected) return;
  reported = agent.stats.connects;
  process.stdout.write(`${JSON.stringify({ agentId: agent.agentId, connects: reported, mine: [...agent.mine] })}\n`);
}, POLL_MS);
process.on('SIGTERM', () => {
  agent.close();
  process.exit(0);
});
