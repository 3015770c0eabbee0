-- CreateTable
CREATE TABLE "review_readings" (
    "event_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "sentiment" DOUBLE PRECISION NOT NULL,
    "lexicon" DOUBLE PRECISION NOT NULL,
    "head_version" TEXT NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "review_readings_pkey" PRIMARY KEY ("customer_id","event_id")
);

-- CreateIndex
CREATE INDEX "review_readings_occurred_at_idx" ON "review_readings"("occurred_at");
