-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "attribution_window_days" INTEGER NOT NULL DEFAULT 30,
ADD COLUMN     "uplift_rate" DOUBLE PRECISION NOT NULL DEFAULT 0.05;
