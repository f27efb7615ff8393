-- CreateTable
CREATE TABLE "InboundEmail" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "body" TEXT NOT NULL,
    "raw" BLOB,
    "resultMessageId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" DATETIME,
    "decidedBy" TEXT
);

-- CreateIndex
CREATE INDEX "InboundEmail_conversationId_status_idx" ON "InboundEmail"("conversationId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEmail_conversationId_messageId_key" ON "InboundEmail"("conversationId", "messageId");
