-- DropIndex
DROP INDEX "Conversation_visitorId_idx";

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "openingClientId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_visitorId_openingClientId_key" ON "Conversation"("visitorId", "openingClientId");
