-- CreateTable
CREATE TABLE "Bot" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "takes" TEXT NOT NULL,
    "timeoutMs" INTEGER NOT NULL,
    "config" JSONB NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "apiKeyId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Bot_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BotTurn" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "botId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "latencyMs" INTEGER NOT NULL,
    "promptTokens" INTEGER,
    "completionTokens" INTEGER,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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
