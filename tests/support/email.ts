/** Drives email tests: a Parley on a fake clock sending to an in-process relay, and waits for its job outbox. */
import { simpleParser, type ParsedMail } from 'mailparser';
import { ManualClock } from '../../server/domain/clock.ts';
import { startServer, type Backend, type TestServer } from './parley.ts';
import { startSmtpRelay, type SmtpRefusal, type SmtpRelay } from './smtp-relay.ts';

export const MAIL_FROM = 'Shop Support <support@shop.example>';
export const REPLY_DOMAIN = 'reply.shop.example';

export interface EmailHarness {
  server: TestServer;
  relay: SmtpRelay;
  clock: ManualClock;
  /** What the relay answers next: null accepts. */
  answer: { next: () => SmtpRefusal | null };
  /** Moves the clock, then runs every job now due (emails, continuity checks) until none is left. */
  advance(ms: number): Promise<void>;
  /** Every message the relay accepted, parsed. */
  parsed(): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startEmailHarness(backend: Backend = 'sqlite', env: Record<string, string> = {}): Promise<EmailHarness> {
  const answer: EmailHarness['answer'] = { next: () => null };
  const relay = await startSmtpRelay({ refuse: () => answer.next() });
  const clock = new ManualClock(Date.now());
  const server = await startServer(
    { SMTP_URL: `smtp://127.0.0.1:${relay.port}`, MAIL_FROM, MAIL_REPLY_DOMAIN: REPLY_DOMAIN, ...env },
    backend,
    { clock },
  );
  const advance = async (ms: number) => {
    clock.advance(ms);
    await server.parley.jobs.worker.settle();
  };
  return {
    server,
    relay,
    clock,
    answer,
    advance,
    parsed: () => Promise.all(relay.received.map((raw) => simpleParser(raw))),
    async close() {
      await server.close();
      await relay.close();
    },
  };
}
