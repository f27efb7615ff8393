-- DropIndex
DROP INDEX "Attachment_messageId_idx";

-- AlterTable
ALTER TABLE "Attachment" ADD COLUMN "uploaderAddress" TEXT;

-- CreateIndex
CREATE INDEX "Attachment_messageId_createdAt_idx" ON "Attachment"("messageId", "createdAt");

-- CreateIndex
CREATE INDEX "Attachment_uploaderAddress_createdAt_idx" ON "Attachment"("uploaderAddress", "createdAt");

-- CreateIndex
CREATE INDEX "Attachment_siteId_createdAt_idx" ON "Attachment"("siteId", "createdAt");
