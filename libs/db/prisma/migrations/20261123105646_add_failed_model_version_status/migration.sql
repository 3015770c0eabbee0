-- AlterEnum
ALTER TYPE "model_version_status" ADD VALUE 'failed';
