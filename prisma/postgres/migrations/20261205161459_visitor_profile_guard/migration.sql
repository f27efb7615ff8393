-- AlterTable
ALTER TABLE "Visitor" ADD COLUMN     "emailVerified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "nameVerified" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "profileVersion" INTEGER NOT NULL DEFAULT 0;
