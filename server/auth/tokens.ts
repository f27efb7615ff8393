/**
 * Signed tokens. HS256 is pinned on verify (no `alg: none`, no algorithm confusion), and each kind of
 * token has its own audience so a visitor token can never pass as an agent token or the reverse.
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
}

export interface VisitorClaims {
  visitorId: string;
  siteId: string;
}

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
    return this.sign({ role: claims.role }, claims.agentId, AGENT_AUDIENCE, this.agentTtlSeconds);
  }

  signVisitor(claims: VisitorClaims): SignedToken {
    return this.sign({ site: claims.siteId }, claims.visitorId, VISITOR_AUDIENCE, this.visitorTtlSeconds);
  }

  verifyAgent(token: unknown): AgentClaims {
    const payload = this.verify(token, AGENT_AUDIENCE);
    if (payload.role !== 'admin' && payload.role !== 'agent') throw invalidToken();
    return { agentId: payload.sub, role: payload.role };
  }

  verifyVisitor(token: unknown): VisitorClaims {
    const payload = this.verify(token, VISITOR_AUDIENCE);
    if (typeof payload.site !== 'string') throw invalidToken();
    return { visitorId: payload.sub, siteId: payload.site };
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

  private verify(token: unknown, audience: string): jwt.JwtPayload & { sub: string } {
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) throw invalidToken();
    try {
      const payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: ISSUER, audience });
      if (typeof payload === 'string' || typeof payload.sub !== 'string') throw invalidToken();
      return payload as jwt.JwtPayload & { sub: string };
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AppError('UNAUTHORIZED', 'Token expired');
      throw invalidToken();
    }
  }
}

const invalidToken = () => new AppError('UNAUTHORIZED', 'Invalid token');
