-- AlterTable
ALTER TABLE "Site" ADD COLUMN     "visitorKeyVersion" INTEGER NOT NULL DEFAULT 1;
