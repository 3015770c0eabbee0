-- CreateEnum
CREATE TYPE "decision_policy" AS ENUM ('constant', 'learned', 'exploration');

-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "exploration_share" DOUBLE PRECISION NOT NULL DEFAULT 0.1;

-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "policy" "decision_policy" NOT NULL DEFAULT 'constant',
ADD COLUMN     "uplift_estimate" DOUBLE PRECISION,
ADD COLUMN     "uplift_model_version" TEXT;

-- CreateTable
CREATE TABLE "uplift_models" (
    "id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "campaign_id" UUID NOT NULL,
    "learner" TEXT NOT NULL,
    "model" JSONB NOT NULL,
    "metrics" JSONB NOT NULL,
    "trained_to" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "uplift_models_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "uplift_models_version_key" ON "uplift_models"("version");

-- CreateIndex
CREATE INDEX "uplift_models_campaign_id_published_at_idx" ON "uplift_models"("campaign_id", "published_at");

-- AddForeignKey
ALTER TABLE "uplift_models" ADD CONSTRAINT "uplift_models_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
