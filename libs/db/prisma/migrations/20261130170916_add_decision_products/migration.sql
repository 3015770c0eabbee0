-- AlterTable
ALTER TABLE "decisions" ADD COLUMN     "products" JSONB;
