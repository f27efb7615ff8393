/**
 * A push service on loopback, for tests: hands out browser-like subscriptions (P-256 key pair and auth secret
 * from node:crypto), and for every POST checks what a real push service and browser would. The VAPID header
 * (RFC 8292): `Authorization: vapid t=<JWT>, k=<key>`, an ES256 JWT verified with that key, `aud` the receiver's
 * origin, `exp` in the future and at most 24 h away, `sub` present. The body (RFC 8291, aes128gcm of RFC 8188):
 * decrypted with the subscription's private key and auth secret. No kept library decrypts Web Push messages (they
 * only encrypt, being written for senders), so the decryption is written here with node:crypto.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PushSubscriptionRequest } from '../../server/contract/alerts.ts';

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted body, parsed as JSON. */
  payload: unknown;
  /** The VAPID public key (`k`) the request was signed with. */
  vapidKey: string;
  claims: { aud: string; exp: number; sub: string };
  headers: IncomingMessage['headers'];
}

interface Subscriber {
  ecdh: ECDH;
  auth: Buffer;
  /** What this endpoint answers (201: accepted; 410: gone…). */
  status: number;
}

export interface PushReceiver {
  origin: string;
  received: ReceivedPush[];
  /** Requests refused for a bad signature or body, with why: a test expects none. */
  refused: string[];
  subscribe(): PushSubscriptionRequest & { id: string };
  answer(subscriptionId: string, status: number): void;
  close(): Promise<void>;
}

const DAY_S = 24 * 3600;

export async function startPushReceiver(): Promise<PushReceiver> {
  const subscribers = new Map<string, Subscriber>();
  const received: ReceivedPush[] = [];
  const refused: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = /^\/push\/([\w-]+)$/.exec(req.url ?? '')?.[1];
      const subscriber = id ? subscribers.get(id) : undefined;
      if (!id || !subscriber || req.method !== 'POST') return void res.writeHead(404).end();
      try {
        const { key, claims } = checkVapid(req.headers.authorization ?? '', origin);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${req.headers['content-encoding']}`);
        if (!req.headers.ttl) throw new Error('no TTL header');
        const payload = JSON.parse(decrypt(Buffer.concat(chunks), subscriber).toString('utf8')) as unknown;
        if (subscriber.status < 300) received.push({ subscriptionId: id, payload, vapidKey: key, claims, headers: req.headers });
        res.writeHead(subscriber.status).end();
      } catch (error) {
        refused.push((error as Error).message);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    received,
    refused,
    subscribe() {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subscribers.set(id, { ecdh, auth, status: 201 });
      return { id, endpoint: `${origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    },
    answer(subscriptionId, status) {
      subscribers.get(subscriptionId)!.status = status;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Verifies `vapid t=<JWT>, k=<key>` and answers the key and the JWT's claims; throws what is wrong. */
function checkVapid(header: string, audience: string): { key: string; claims: ReceivedPush['claims'] } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header);
  if (!match) throw new Error(`authorization is not "vapid t=…, k=…": ${header}`);
  const [, jwt, key] = match as unknown as [string, string, string];
  const [head, body, signature] = jwt.split('.') as [string, string, string];
  if ((JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string }).alg !== 'ES256') throw new Error('JWT alg is not ES256');
  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const publicKey = createPublicKey({
    format: 'jwk',
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
  });
  // JWS ES256 signatures are r || s (IEEE P1363), not DER.
  const valid = verify('sha256', Buffer.from(`${head}.${body}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!valid) throw new Error('JWT signature does not verify with k');
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ReceivedPush['claims'];
  const now = Date.now() / 1000;
  if (claims.aud !== audience) throw new Error(`aud ${claims.aud} is not ${audience}`);
  if (!(claims.exp > now && claims.exp <= now + DAY_S + 5)) throw new Error(`exp ${claims.exp} is not within 24 hours`);
  if (!claims.sub) throw new Error('no sub claim');
  return { key, claims };
}

/** RFC 8291 key derivation, then one RFC 8188 aes128gcm record (a push message is a single record). */
function decrypt(body: Buffer, { ecdh, auth }: Subscriber): Buffer {
  const salt = body.subarray(0, 16);
  const idLength = body[20]!;
  const senderKey = body.subarray(21, 21 + idLength);
  const record = body.subarray(21 + idLength);
  if (idLength !== 65) throw new Error(`keyid is ${idLength} bytes, not a P-256 public key`);
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), ecdh.getPublicKey(), senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}
