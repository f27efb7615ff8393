-- AlterTable
ALTER TABLE "Visitor" ADD COLUMN "emailOptOutAt" DATETIME;

-- CreateTable
CREATE TABLE "Email" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "idempotencyKey" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "conversationId" TEXT,
    "siteId" TEXT,
    "visitorId" TEXT,
    "recipient" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "replyTo" TEXT,
    "inReplyTo" TEXT,
    "references" JSONB NOT NULL,
    "headers" JSONB NOT NULL,
    "attachments" JSONB NOT NULL,
    "throughSeq" INTEGER,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT,
    "relayResponse" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "Email_idempotencyKey_key" ON "Email"("idempotencyKey");

-- CreateIndex
CREATE INDEX "Email_conversationId_createdAt_idx" ON "Email"("conversationId", "createdAt");
