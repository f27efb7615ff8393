/** The one object through which the application reaches the database. */
import type { Store } from '../app/ports.ts';
import type { IdGenerator } from '../app/ids.ts';
import type { Database } from './client.ts';
import type { BatchObserver, WriteBatch } from './group-commit.ts';
import type { AttachmentUrl } from './message-dtos.ts';
import { pgBatches } from './pg-appends.ts';
import { pgStarts } from './pg-starts.ts';
import { pgOpeningReads } from './pg-openings.ts';
import { pgAssignments } from './pg-assignments.ts';
import { pgSummaries } from './pg-summaries.ts';
import { prismaAssignments, prismaStarts, type StartBatch } from './conversation-batches.ts';
import { sqliteBatches } from './sqlite-batches.ts';
import { PrismaAgentStore } from './agents.ts';
import { PrismaAlertStore } from './alerts.ts';
import { PrismaApiKeyStore } from './api-keys.ts';
import { PrismaBotStore } from './bots.ts';
import { PrismaAttachmentStore } from './attachments.ts';
import { PrismaCannedStore } from './canned.ts';
import { PrismaInboundEmailStore } from './inbound-emails.ts';
import { PrismaInviteStore } from './invites.ts';
import { PrismaKnowledgeBaseStore } from './knowledge-base.ts';
import { PrismaEmailStore } from './emails.ts';
import { PrismaJobStore } from './jobs.ts';
import { PrismaReportStore } from './reports.ts';
import { PrismaConversationStore } from './conversations.ts';
import { PrismaRefreshTokenStore } from './refresh-tokens.ts';
import { PrismaSiteStore } from './sites.ts';
import { PrismaVisitorStore } from './visitors.ts';
import { PrismaWebhookStore } from './webhooks.ts';

export interface StoreOptions {
  /** A link clients can fetch an attachment from (signed, expiring). */
  attachmentUrl: AttachmentUrl;
  /** Told the size and duration of every group-commit batch of sends (metrics). */
  onBatch?: BatchObserver;
}

export function createStore(database: Database, newId: IdGenerator, { attachmentUrl, onBatch }: StoreOptions): Store {
  const { prisma, provider } = database;
  return {
    sites: new PrismaSiteStore(prisma, newId),
    agents: new PrismaAgentStore(prisma, newId),
    visitors: new PrismaVisitorStore(prisma, newId),
    conversations: new PrismaConversationStore(prisma, newId, {
      provider,
      attachmentUrl,
      sends: sendBatches(database, newId, attachmentUrl),
      starts: startBatches(database, newId, attachmentUrl),
      assigns: database.provider === 'sqlite' ? prismaAssignments(prisma, provider, newId, attachmentUrl) : pgAssignments(database.rawPool, newId),
      ...(database.provider === 'postgresql' && { summariesById: pgSummaries(database.rawPool, attachmentUrl), openings: pgOpeningReads(database.rawPool, attachmentUrl) }),
      onBatch,
    }),
    attachments: new PrismaAttachmentStore(prisma, newId),
    refreshTokens: new PrismaRefreshTokenStore(prisma, newId),
    canned: new PrismaCannedStore(prisma, newId),
    invites: new PrismaInviteStore(prisma, newId),
    reports: new PrismaReportStore(prisma),
    jobs: new PrismaJobStore(prisma, newId, provider),
    apiKeys: new PrismaApiKeyStore(prisma, newId),
    webhooks: new PrismaWebhookStore(prisma, newId),
    knowledgeBase: new PrismaKnowledgeBaseStore(prisma, newId, provider),
    alerts: new PrismaAlertStore(prisma, newId),
    inboundEmails: new PrismaInboundEmailStore(prisma, newId),
    emails: new PrismaEmailStore(prisma, newId),
    bots: new PrismaBotStore(prisma, newId),
    async ping() {
      await prisma.$queryRaw`SELECT 1`;
    },
  };
}

/** How sends reach the database: on SQLite through its writer thread, on PostgreSQL in one raw statement per batch. */
function sendBatches(database: Database, newId: IdGenerator, attachmentUrl: AttachmentUrl): WriteBatch {
  return database.provider === 'sqlite'
    ? sqliteBatches(database.sqliteWriter, newId, attachmentUrl)
    : pgBatches(database.rawPool, database.prisma, newId, attachmentUrl);
}

/** How new conversations reach the database: through Prisma on SQLite, in one raw statement per batch on PostgreSQL. */
function startBatches(database: Database, newId: IdGenerator, attachmentUrl: AttachmentUrl): StartBatch {
  const viaPrisma = prismaStarts(database.prisma, database.provider, newId, attachmentUrl);
  return database.provider === 'sqlite' ? viaPrisma : pgStarts(database.rawPool, viaPrisma, newId);
}
