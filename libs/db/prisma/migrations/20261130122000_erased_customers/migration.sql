-- CreateTable
CREATE TABLE "erased_customers" (
    "pseudonym" TEXT NOT NULL,
    "erased_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "report" JSONB NOT NULL,

    CONSTRAINT "erased_customers_pkey" PRIMARY KEY ("pseudonym")
);
