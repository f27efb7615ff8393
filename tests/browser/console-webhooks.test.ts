/** A site's webhooks in the console: add one, its secret shown once, a test event verified, the log, a replay. */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { ADMIN, openSection, signIn, useConsoleEnv } from './console-support.ts';
import { startReceiver, type Receiver } from '../support/webhook-receiver.ts';

const { env } = useConsoleEnv({ WEBHOOK_ALLOW_PRIVATE: 'true' });
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
});

test('an admin adds a webhook, sends a test event, reads the delivery log and replays it', async () => {
  const page = await signIn(env(), ADMIN);
  await openSection(page, 'Sites');
  const webhooks = page.getByRole('region', { name: 'Webhooks' });
  await webhooks.getByLabel('Endpoint URL').fill(receiver.url);
  await webhooks.getByRole('button', { name: 'Add webhook' }).click();
  const secret = (await webhooks.getByRole('status').filter({ hasText: 'whsec_' }).locator('code').textContent())!;
  expect(secret).toMatch(/^whsec_/);

  await webhooks.getByRole('button', { name: `Send test event ${receiver.url}` }).click();
  await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000 });
  const [first] = receiver.received;
  expect(new Webhook(secret).verify(first!.body, first!.headers)).toMatchObject({ type: 'webhook.test' });

  await webhooks.getByRole('button', { name: `Deliveries ${receiver.url}` }).click();
  const log = webhooks.getByRole('table', { name: 'Delivery log' });
  await log.getByText('Delivered (1)').waitFor();
  await log.getByRole('button', { name: `Replay ${first!.headers['webhook-id']}` }).click();
  await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 10_000 });
  expect(receiver.received[1]!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  expect(env().pageErrors).toEqual([]);
}, 60_000);
