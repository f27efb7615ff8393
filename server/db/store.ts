/** The one object through which the application reaches the database. */
import type { Store } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { PrismaAgentStore } from './agents.ts';
import { PrismaConversationStore } from './conversations.ts';
import { PrismaRefreshTokenStore } from './refresh-tokens.ts';
import { PrismaSiteStore } from './sites.ts';
import { PrismaVisitorStore } from './visitors.ts';

export function createStore(prisma: PrismaClient, newId: IdGenerator): Store {
  return {
    sites: new PrismaSiteStore(prisma, newId),
    agents: new PrismaAgentStore(prisma, newId),
    visitors: new PrismaVisitorStore(prisma, newId),
    conversations: new PrismaConversationStore(prisma, newId),
    refreshTokens: new PrismaRefreshTokenStore(prisma, newId),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
