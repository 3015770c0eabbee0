-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN "artifact_sha256" TEXT;
