-- AlterTable
ALTER TABLE "model_versions" ADD COLUMN     "recommender_published_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "model_versions_recommender_published_at_idx" ON "model_versions"("recommender_published_at");

-- The recommender served until now was the published version's own (stored in its artifact): it stays served.
UPDATE "model_versions"
SET "recommender_published_at" = "published_at"
WHERE "status" = 'published' AND jsonb_typeof("metrics" -> 'recommender') = 'object';
