-- CreateTable
CREATE TABLE "KbArticle" (
    "id" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" JSONB NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "KbArticle_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "KbEvalQuestion" (
    "id" TEXT NOT NULL,
    "siteId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "articleId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "KbEvalQuestion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "KbArticle_siteId_slug_key" ON "KbArticle"("siteId", "slug");

-- CreateIndex
CREATE INDEX "KbEvalQuestion_siteId_idx" ON "KbEvalQuestion"("siteId");

-- AddForeignKey
ALTER TABLE "KbEvalQuestion" ADD CONSTRAINT "KbEvalQuestion_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "KbArticle"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: Prisma does not model tsvector columns or GIN indexes on them. The full-text document of each
-- KbArticle (title weighted A, tags B, body D), written by the store in the same transaction as the article.
CREATE TABLE "KbArticleSearch" (
    "articleId" TEXT NOT NULL PRIMARY KEY REFERENCES "KbArticle"("id") ON DELETE CASCADE,
    "document" tsvector NOT NULL
);
CREATE INDEX "KbArticleSearch_document_idx" ON "KbArticleSearch" USING GIN ("document");
