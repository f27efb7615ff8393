-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Site" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "allowedOrigins" JSONB NOT NULL,
    "widgetSettings" JSONB NOT NULL,
    "identitySecret" TEXT NOT NULL,
    "identityRequired" BOOLEAN NOT NULL DEFAULT false,
    "visitorKeyVersion" INTEGER NOT NULL DEFAULT 1,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_Site" ("allowedOrigins", "createdAt", "id", "identityRequired", "identitySecret", "name", "publicKey", "widgetSettings") SELECT "allowedOrigins", "createdAt", "id", "identityRequired", "identitySecret", "name", "publicKey", "widgetSettings" FROM "Site";
DROP TABLE "Site";
ALTER TABLE "new_Site" RENAME TO "Site";
CREATE UNIQUE INDEX "Site_publicKey_key" ON "Site"("publicKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
