-- CreateTable
CREATE TABLE "InboundEmail" (
    "id" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "body" TEXT NOT NULL,
    "raw" BYTEA,
    "resultMessageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decidedAt" TIMESTAMP(3),
    "decidedBy" TEXT,

    CONSTRAINT "InboundEmail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "InboundEmail_conversationId_status_idx" ON "InboundEmail"("conversationId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "InboundEmail_conversationId_messageId_key" ON "InboundEmail"("conversationId", "messageId");
