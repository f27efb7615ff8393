-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Agent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'agent',
    "capacity" INTEGER NOT NULL DEFAULT 5,
    "status" TEXT NOT NULL DEFAULT 'online',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "avatarUrl" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signInFailures" INTEGER NOT NULL DEFAULT 0,
    "lastSignInFailureAt" DATETIME
);
INSERT INTO "new_Agent" ("active", "avatarUrl", "capacity", "createdAt", "email", "id", "name", "passwordHash", "role", "status") SELECT "active", "avatarUrl", "capacity", "createdAt", "email", "id", "name", "passwordHash", "role", "status" FROM "Agent";
DROP TABLE "Agent";
ALTER TABLE "new_Agent" RENAME TO "Agent";
CREATE UNIQUE INDEX "Agent_email_key" ON "Agent"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
