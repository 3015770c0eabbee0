-- CreateEnum
CREATE TYPE "campaign_status" AS ENUM ('draft', 'active', 'paused', 'ended');

-- CreateEnum
CREATE TYPE "campaign_action" AS ENUM ('coupon', 'recommendation', 'ad_audience', 'win_back');

-- CreateEnum
CREATE TYPE "decision_group" AS ENUM ('treated', 'control');

-- CreateEnum
CREATE TYPE "model_version_status" AS ENUM ('training', 'candidate', 'published', 'rejected', 'retired');

-- CreateTable
CREATE TABLE "customers" (
    "id" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_scored_at" TIMESTAMPTZ(3),
    "tier" TEXT,
    "expected_spend" DECIMAL(14,2),
    "churn_risk" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "customers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "campaigns" (
    "id" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" "campaign_status" NOT NULL DEFAULT 'draft',
    "audience" JSONB NOT NULL,
    "action" "campaign_action" NOT NULL,
    "action_params" JSONB NOT NULL,
    "channel" TEXT NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3),
    "priority" INTEGER NOT NULL DEFAULT 0,
    "budget_total" DECIMAL(14,2) NOT NULL,
    "cost_per_action" DECIMAL(10,2) NOT NULL,
    "budget_spent" DECIMAL(14,2) NOT NULL DEFAULT 0,
    "frequency_cap" INTEGER NOT NULL,
    "cooldown_seconds" INTEGER NOT NULL,
    "control_share" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "decisions" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "campaign_id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "group" "decision_group" NOT NULL,
    "action" "campaign_action" NOT NULL,
    "channel" TEXT NOT NULL,
    "cost" DECIMAL(10,2) NOT NULL,
    "score" JSONB NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "decisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_versions" (
    "id" UUID NOT NULL,
    "version" TEXT NOT NULL,
    "status" "model_version_status" NOT NULL DEFAULT 'training',
    "algorithm" TEXT NOT NULL,
    "feature_schema_version" TEXT NOT NULL,
    "trained_from" TIMESTAMPTZ(3),
    "trained_to" TIMESTAMPTZ(3),
    "metrics" JSONB NOT NULL,
    "tier_thresholds" JSONB,
    "artifact_uri" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "model_versions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "campaigns_key_key" ON "campaigns"("key");

-- CreateIndex
CREATE UNIQUE INDEX "decisions_idempotency_key_key" ON "decisions"("idempotency_key");

-- CreateIndex
CREATE INDEX "decisions_campaign_id_customer_id_event_time_idx" ON "decisions"("campaign_id", "customer_id", "event_time");

-- CreateIndex
CREATE INDEX "decisions_customer_id_idx" ON "decisions"("customer_id");

-- CreateIndex
CREATE UNIQUE INDEX "model_versions_version_key" ON "model_versions"("version");

-- AddForeignKey
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
