/** Agent sign-in over HTTP. The refresh token lives only in an httpOnly, SameSite=Strict cookie. */
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { AuthService, IssuedSession } from '../app/auth.ts';
import { AppError } from '../app/errors.ts';
import { newPassword, storableText } from '../validation/primitives.ts';
import { readCookie } from './cookies.ts';
import { route } from './errors.ts';

export const REFRESH_COOKIE = 'parley_refresh';
const COOKIE_PATH = '/api/auth';

// The email is looked up: PostgreSQL would answer a NUL in it with an error, not a miss.
const loginBody = z.strictObject({ email: storableText().min(3).max(254), password: z.string().min(1).max(1024) });
const acceptInviteBody = z.strictObject({ token: z.string().min(16).max(200), password: newPassword });

export function authRoutes(
  auth: AuthService,
  deps: {
    isOwnOrigin: (req: Request) => boolean;
    /** Whether browsers reach us over https here: the refresh cookie is then Secure. */
    overHttps: (req: Request) => boolean;
    /** Sets an invited agent's password (one use); returns the email to sign in with. */
    acceptInvite?: (token: string, password: string) => Promise<{ email: string }>;
  },
): Router {
  const router = Router();
  router.use(express.json({ limit: '4kb' }));
  // Browsers always send Origin on these POSTs; a foreign one is a cross-site request and is refused.
  router.use((req, _res, next) => {
    if (req.get('origin') !== undefined && !deps.isOwnOrigin(req)) next(new AppError('ORIGIN_NOT_ALLOWED', 'Cross-origin request refused'));
    else next();
  });

  router.post('/login', route(async (req, res) => {
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'email and password are required');
    send(res, deps.overHttps(req), await auth.login(parsed.data.email, parsed.data.password, clientIp(req)));
  }));

  router.post('/refresh', route(async (req, res) => {
    try {
      send(res, deps.overHttps(req), await auth.refresh(readCookie(req.get('cookie'), REFRESH_COOKIE)));
    } catch (error) {
      clear(res, deps.overHttps(req));
      throw error;
    }
  }));

  // An invited agent sets their password with the one-time token from their link, and is signed in.
  router.post('/invite/accept', route(async (req, res) => {
    const parsed = acceptInviteBody.safeParse(req.body);
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'token and a password of at least 8 characters are required');
    if (!deps.acceptInvite) throw new AppError('NOT_FOUND', 'No such endpoint');
    const { email } = await deps.acceptInvite(parsed.data.token, parsed.data.password);
    send(res, deps.overHttps(req), await auth.login(email, parsed.data.password, clientIp(req)));
  }));

  router.post('/logout', route(async (req, res) => {
    await auth.logout(readCookie(req.get('cookie'), REFRESH_COOKIE));
    clear(res, deps.overHttps(req));
    res.status(204).end();
  }));

  return router;
}

function send(res: Response, secure: boolean, issued: IssuedSession) {
  res.cookie(REFRESH_COOKIE, issued.refreshToken, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: COOKIE_PATH,
    expires: issued.refreshExpiresAt,
  });
  res.setHeader('Cache-Control', 'no-store');
  res.json(issued.session);
}

function clear(res: Response, secure: boolean) {
  res.clearCookie(REFRESH_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: COOKIE_PATH });
}

/** The caller's address: behind trusted proxies (TRUST_PROXY), the nearest untrusted one in X-Forwarded-For. */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
