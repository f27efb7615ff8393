-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "lastSignInFailureAt" TIMESTAMP(3),
ADD COLUMN     "signInFailures" INTEGER NOT NULL DEFAULT 0;
