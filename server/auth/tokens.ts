/**
 * Signed tokens. HS256 is pinned on verify (no `alg: none`, no algorithm confusion), each kind of token has
 * its own audience so a visitor token can never pass as an agent token or the reverse, and every token must
 * carry an expiry.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AppError } from '../app/errors.ts';

const ALGORITHM = 'HS256';
const ISSUER = 'parley';
export const AGENT_AUDIENCE = 'parley:agent';
export const VISITOR_AUDIENCE = 'parley:visitor';

export interface AgentClaims {
  agentId: string;
  role: 'admin' | 'agent';
  /** The login (refresh-token family) the token was issued to: signing out ends exactly that login. */
  sessionId: string;
}

export interface VisitorClaims {
  visitorId: string;
  siteId: string;
  /** The site's visitor key version when signed; rotating the site's key refuses every earlier token. */
  keyVersion: number;
}

/** When a verified token stops being valid. */
export interface TokenExpiry {
  expiresAt: Date;
}

/** Visitor tokens signed before key versions existed belong to the first one, the column's default. */
const FIRST_KEY_VERSION = 1;

export interface SignedToken {
  token: string;
  expiresAt: Date;
}

export class TokenSigner {
  /** A key object, made once: given the string, jsonwebtoken tries to parse it as a PEM key on every sign and verify. */
  private readonly key: KeyObject;

  constructor(
    secret: string,
    private readonly agentTtlSeconds: number,
    private readonly visitorTtlSeconds: number,
  ) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  signAgent(claims: AgentClaims): SignedToken {
    return this.sign({ role: claims.role, sid: claims.sessionId }, claims.agentId, AGENT_AUDIENCE, this.agentTtlSeconds);
  }

  signVisitor(claims: VisitorClaims): SignedToken {
    return this.sign({ site: claims.siteId, kv: claims.keyVersion }, claims.visitorId, VISITOR_AUDIENCE, this.visitorTtlSeconds);
  }

  verifyAgent(token: unknown): AgentClaims & TokenExpiry {
    const payload = this.verify(token, AGENT_AUDIENCE);
    if ((payload.role !== 'admin' && payload.role !== 'agent') || typeof payload.sid !== 'string') throw invalidToken();
    return { agentId: payload.sub, role: payload.role, sessionId: payload.sid, expiresAt: expiryOf(payload) };
  }

  verifyVisitor(token: unknown): VisitorClaims & TokenExpiry {
    const payload = this.verify(token, VISITOR_AUDIENCE);
    const keyVersion = payload.kv ?? FIRST_KEY_VERSION;
    if (typeof payload.site !== 'string' || !Number.isSafeInteger(keyVersion)) throw invalidToken();
    return { visitorId: payload.sub, siteId: payload.site, keyVersion, expiresAt: expiryOf(payload) };
  }

  private sign(payload: object, subject: string, audience: string, ttlSeconds: number): SignedToken {
    const token = jwt.sign(payload, this.key, {
      algorithm: ALGORITHM,
      issuer: ISSUER,
      audience,
      subject,
      expiresIn: ttlSeconds,
    });
    return { token, expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
  }

  private verify(token: unknown, audience: string): jwt.JwtPayload & { sub: string; exp: number } {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw invalidToken();
    try {
      const payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER, audience });
      // jsonwebtoken checks `exp` only when present, and no verify option requires it: a token without one would never expire.
      if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw invalidToken();
      return payload as jwt.JwtPayload & { sub: string; exp: number };
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AppError('UNAUTHORIZED', 'Token expired');
      throw invalidToken();
    }
  }
}

const invalidToken = () => new AppError('UNAUTHORIZED', 'Invalid token');
const expiryOf = (payload: { exp: number }) => new Date(payload.exp * 1000);
