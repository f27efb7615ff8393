/**
 * Fault: email under a failing relay and a killed server. Emails are queued through EmailOutbox into the
 * database of a real Parley process, which sends them through an SMTP relay in this process. The relay refuses
 * (451) for a while and then accepts; the server is SIGKILLed while emails are pending and while it is sending.
 * Every email must reach the relay (counted by Message-ID); none twice, except those the relay accepted in the
 * unavoidable window between its 250 and the server recording it (at most the emails in flight at the kill).
 * The process runs on the real clock, so the relay's backoff is shortened (EMAIL_RETRY_BASE_MS) and the outage
 * lasts seconds rather than minutes; it still spans several doubling retries of every email.
 */
import { afterEach, expect, it } from 'vitest';
import { newId } from '../../server/app/ids.ts';
import { createDatabase } from '../../server/db/client.ts';
import { createStore } from '../../server/db/store.ts';
import { wallClock } from '../../server/domain/clock.ts';
import { EmailOutbox } from '../../server/email/outbox.ts';
import { EmailTokens } from '../../server/email/tokens.ts';
import { startSmtpRelay, type SmtpRelay } from '../support/smtp-relay.ts';
import { envMs, sleep, Teardown, waitUntil } from './support/bounded.ts';
import { publish } from './support/verify.ts';
import { World } from './support/world.ts';

const EMAILS = 60;
const OUTAGE_MS = envMs('FAULTS_EMAIL_OUTAGE_MS', 12_000);
const RETRY_BASE_MS = 200;
/** Emails a worker sends at once (JobWorker's batch): the most that can be in the accept-to-commit window. */
const IN_FLIGHT = 8;
const DELIVERY_TIMEOUT_MS = 120_000;
/** A killed node's leases run out after twice the longest job timeout (30 s) and 5 s; then another node sends. */
const LEASE_EXPIRY_MS = 65_000;
const MAIL_FROM = 'Faults <support@faults.test>';

const teardown = new Teardown();
afterEach(() => teardown.run());

/** A relay that refuses with 451 while `refusing`, and otherwise accepts after `acceptDelayMs`. */
async function relay(): Promise<{ relay: SmtpRelay; control: { refusing: boolean; refused: number } }> {
  const control = { refusing: true, refused: 0 };
  const started = await startSmtpRelay({
    refuse: () => {
      if (!control.refusing) return null;
      control.refused++;
      return { code: 451, message: '4.3.2 Try again later' };
    },
  });
  teardown.add('close relay', () => started.close());
  return { relay: started, control };
}

/** A world whose database holds `count` queued emails, written the way every feature queues one. */
async function worldWithEmails(relayPort: number, count: number): Promise<{ world: World; messageIds: string[] }> {
  const world = await World.create(teardown, {
    agents: 0,
    capacity: 1,
    env: { SMTP_URL: `smtp://127.0.0.1:${relayPort}`, MAIL_FROM, EMAIL_RETRY_BASE_MS: String(RETRY_BASE_MS) },
  });
  const database = createDatabase(`file:${world.databaseFile}`);
  try {
    const store = createStore(database, newId, { attachmentUrl: () => '' });
    const outbox = new EmailOutbox({
      store: store.emails,
      clock: wallClock,
      tokens: new EmailTokens('faults-secret', wallClock),
      mail: { from: MAIL_FROM, replyDomain: undefined },
      optedOut: async () => false,
    });
    const messageIds: string[] = [];
    for (let i = 0; i < count; i++) {
      const email = await outbox.queue({ purpose: 'agent-alert', to: `agent${i}@faults.test`, subject: `Alert ${i}`, text: `Alert ${i}`, html: `<p>Alert ${i}</p>`, idempotencyKey: `faults:${i}` });
      messageIds.push(email!.messageId);
    }
    return { world, messageIds };
  } finally {
    await database.close();
  }
}

/** How many times the relay accepted each Message-ID. */
function arrivals(relay: SmtpRelay): Map<string, number> {
  const counts = new Map<string, number>();
  for (const raw of relay.received) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

function verdict(messageIds: string[], relay: SmtpRelay) {
  const counts = arrivals(relay);
  const lost = messageIds.filter((id) => !counts.has(id)).length;
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  const strangers = [...counts.keys()].filter((id) => !messageIds.includes(id)).length;
  return { lost, duplicated, strangers, arrived: counts.size };
}

it(`delivers every email exactly once after the relay refuses for ${OUTAGE_MS / 1000} s`, async () => {
  const { relay: smtp, control } = await relay();
  const { world, messageIds } = await worldWithEmails(smtp.port, EMAILS);
  const started = Date.now();
  await world.start();
  await sleep(OUTAGE_MS);
  control.refusing = false;
  await waitUntil(() => arrivals(smtp).size >= EMAILS, DELIVERY_TIMEOUT_MS, () => `${arrivals(smtp).size}/${EMAILS} emails at the relay`);
  await sleep(2 * RETRY_BASE_MS); // a duplicate would come now
  const result = verdict(messageIds, smtp);
  publish('email relay outage', `emails ${EMAILS}, outage ${OUTAGE_MS} ms, refusals ${control.refused} (${(control.refused / EMAILS).toFixed(1)} per email), ` +
    `arrived ${result.arrived}, lost ${result.lost}, duplicated ${result.duplicated}, all in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  expect(control.refused / EMAILS).toBeGreaterThanOrEqual(3);
  expect(result).toEqual({ lost: 0, duplicated: 0, strangers: 0, arrived: EMAILS });
});

it('loses no email to SIGKILLs while emails wait for the relay and while they are being sent', async () => {
  const { relay: smtp, control } = await relay();
  const { world, messageIds } = await worldWithEmails(smtp.port, EMAILS);
  await world.start();
  // Killed while every email is queued and deferred: nothing can be in flight at the relay.
  await waitUntil(() => control.refused >= EMAILS, 30_000, 'every email tried once');
  await world.server!.kill('SIGKILL');
  await world.start();
  control.refusing = false;
  // Killed while sending: some emails are accepted, some not yet.
  await waitUntil(() => smtp.received.length >= EMAILS / 3, DELIVERY_TIMEOUT_MS, 'a third of the emails at the relay', 5);
  const atKill = smtp.received.length;
  await world.server!.kill('SIGKILL');
  const restarted = Date.now();
  await world.start();
  await waitUntil(() => arrivals(smtp).size >= EMAILS, LEASE_EXPIRY_MS + DELIVERY_TIMEOUT_MS, () => `${arrivals(smtp).size}/${EMAILS} emails at the relay`);
  const recoveredMs = Date.now() - restarted;
  await sleep(2 * RETRY_BASE_MS);
  const result = verdict(messageIds, smtp);
  publish('email SIGKILL', `emails ${EMAILS}, kills 2, at the relay at the second kill ${atKill}, all there ${(recoveredMs / 1000).toFixed(1)} s after the restart (leases of the killed process expire), arrived ${result.arrived}, lost ${result.lost}, ` +
    `duplicated ${result.duplicated} (accepted but not yet recorded at the kill; allowed up to ${IN_FLIGHT})`);
  expect(result.lost).toBe(0);
  expect(result.strangers).toBe(0);
  expect(result.duplicated).toBeLessThanOrEqual(IN_FLIGHT);
});
