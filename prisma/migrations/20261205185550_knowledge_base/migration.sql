-- CreateTable
CREATE TABLE "KbArticle" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "tags" JSONB NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "KbEvalQuestion" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "articleId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "KbEvalQuestion_articleId_fkey" FOREIGN KEY ("articleId") REFERENCES "KbArticle" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "KbArticle_siteId_slug_key" ON "KbArticle"("siteId", "slug");

-- CreateIndex
CREATE INDEX "KbEvalQuestion_siteId_idx" ON "KbEvalQuestion"("siteId");

-- Hand-written: Prisma does not model FTS5 tables. The full-text index of KbArticle, one row per article (any
-- site, published or not: searches join KbArticle to keep one site's published articles). The store writes it in
-- the same transaction as the article; it is not a trigger because Prisma rebuilds a SQLite table on some
-- column changes, and that drops the table's triggers.
CREATE VIRTUAL TABLE "KbArticleSearch" USING fts5(
    "articleId" UNINDEXED,
    "title",
    "body",
    "tags",
    tokenize = 'porter unicode61 remove_diacritics 2'
);
