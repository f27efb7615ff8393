#!/usr/bin/env node
/**
 * A webhook bot for Parley, using only the public API. Parley posts each visitor message of a conversation this
 * bot holds as a signed `bot.turn` event; the bot answers questions about opening hours and hands anything else
 * to a person. Create the bot with `npm run --silent cli -- bot create --site KEY --kind webhook --url URL --json`,
 * then run: PARLEY_URL=https://chat.example.com PARLEY_API_KEY=pk_… BOT_SECRET=whsec_… PORT=8787 node examples/webhook-bot.mjs
 */
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const { PARLEY_URL, PARLEY_API_KEY, BOT_SECRET, PORT = '8787' } = process.env;
if (!PARLEY_URL || !PARLEY_API_KEY || !BOT_SECRET) {
  console.error('Set PARLEY_URL, PARLEY_API_KEY and BOT_SECRET (both shown once when the bot was created).');
  process.exit(2);
}
const webhook = new Webhook(BOT_SECRET);

/** POST to Parley's REST API v1 as this bot. */
async function call(path, body) {
  const res = await fetch(`${PARLEY_URL}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${PARLEY_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) console.error(`${path}: ${res.status} ${await res.text()}`);
}

/** The webhook id makes the reply's clientId: a redelivered event answers once. */
async function answer({ conversationId, latest }, webhookId) {
  const conversation = `/conversations/${encodeURIComponent(conversationId)}`;
  if (/\b(hours|open|opening|closed?)\b/i.test(latest)) {
    await call(`${conversation}/messages`, { clientId: `bot-${webhookId}`.slice(0, 64), body: 'We are open Monday to Friday, 9:00 to 17:00.' });
  } else {
    await call(`${conversation}/handoff`, {});
  }
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let event;
    try {
      event = webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers);
    } catch {
      res.writeHead(401).end(); // not signed by Parley with this bot's secret
      return;
    }
    res.writeHead(204).end(); // acknowledge at once; the answer goes through the API
    if (event.type === 'bot.turn') answer(event.data, req.headers['webhook-id']).catch((err) => console.error(err));
  });
});
server.listen(Number(PORT), '127.0.0.1', () => console.log(`webhook bot listening on port ${server.address().port}`));
