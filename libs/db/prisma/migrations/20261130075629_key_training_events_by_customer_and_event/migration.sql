-- AlterTable
ALTER TABLE "training_events" DROP CONSTRAINT "training_events_pkey",
ADD CONSTRAINT "training_events_pkey" PRIMARY KEY ("customer_id", "event_id");
