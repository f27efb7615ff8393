-- AlterEnum
ALTER TYPE "AgentRole" ADD VALUE 'bot';

-- CreateTable
CREATE TABLE "Bot" (
    "id" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "takes" TEXT NOT NULL,
    "timeoutMs" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "apiKeyId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Bot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BotTurn" (
    "id" TEXT NOT NULL,
    "botId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BotTurn_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Bot_agentId_key" ON "Bot"("agentId");

-- CreateIndex
CREATE INDEX "Bot_siteId_idx" ON "Bot"("siteId");

-- CreateIndex
CREATE UNIQUE INDEX "BotTurn_messageId_key" ON "BotTurn"("messageId");

-- CreateIndex
CREATE INDEX "BotTurn_botId_createdAt_idx" ON "BotTurn"("botId", "createdAt");

-- CreateIndex
CREATE INDEX "BotTurn_conversationId_idx" ON "BotTurn"("conversationId");

-- AddForeignKey
ALTER TABLE "Bot" ADD CONSTRAINT "Bot_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
