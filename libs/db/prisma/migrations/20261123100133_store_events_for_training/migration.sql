-- CreateTable
CREATE TABLE "training_events" (
    "event_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "stored_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "training_events_pkey" PRIMARY KEY ("event_id")
);

-- CreateIndex
CREATE INDEX "training_events_occurred_at_idx" ON "training_events"("occurred_at");

-- CreateIndex
CREATE INDEX "training_events_customer_id_occurred_at_idx" ON "training_events"("customer_id", "occurred_at");
