/** The one object through which the application reaches the database. */
import type { Store } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { PrismaClient } from './generated/sqlite/client.ts';
import { PrismaAgentStore } from './agents.ts';
import { PrismaAttachmentStore } from './attachments.ts';
import { PrismaCannedStore } from './canned.ts';
import { PrismaInviteStore } from './invites.ts';
import { PrismaReportStore } from './reports.ts';
import { PrismaConversationStore, type ConversationStoreOptions } from './conversations.ts';
import { PrismaRefreshTokenStore } from './refresh-tokens.ts';
import { PrismaSiteStore } from './sites.ts';
import { PrismaVisitorStore } from './visitors.ts';

export function createStore(prisma: PrismaClient, newId: IdGenerator, options: ConversationStoreOptions): Store {
  return {
    sites: new PrismaSiteStore(prisma, newId),
    agents: new PrismaAgentStore(prisma, newId),
    visitors: new PrismaVisitorStore(prisma, newId),
    conversations: new PrismaConversationStore(prisma, newId, options),
    attachments: new PrismaAttachmentStore(prisma, newId),
    refreshTokens: new PrismaRefreshTokenStore(prisma, newId),
    canned: new PrismaCannedStore(prisma, newId),
    invites: new PrismaInviteStore(prisma, newId),
    reports: new PrismaReportStore(prisma),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}
