-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Visitor" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "siteId" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT,
    "email" TEXT,
    "nameVerified" BOOLEAN NOT NULL DEFAULT false,
    "emailVerified" BOOLEAN NOT NULL DEFAULT false,
    "attributes" JSONB NOT NULL,
    "profileVersion" INTEGER NOT NULL DEFAULT 0,
    "locale" TEXT,
    "timezone" TEXT,
    "userAgent" TEXT,
    "referrer" TEXT,
    "pageUrl" TEXT,
    "pageTitle" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Visitor_siteId_fkey" FOREIGN KEY ("siteId") REFERENCES "Site" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Visitor" ("attributes", "createdAt", "email", "externalId", "id", "lastSeenAt", "locale", "name", "pageTitle", "pageUrl", "referrer", "siteId", "timezone", "userAgent") SELECT "attributes", "createdAt", "email", "externalId", "id", "lastSeenAt", "locale", "name", "pageTitle", "pageUrl", "referrer", "siteId", "timezone", "userAgent" FROM "Visitor";
DROP TABLE "Visitor";
ALTER TABLE "new_Visitor" RENAME TO "Visitor";
CREATE INDEX "Visitor_siteId_idx" ON "Visitor"("siteId");
CREATE UNIQUE INDEX "Visitor_siteId_externalId_key" ON "Visitor"("siteId", "externalId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
