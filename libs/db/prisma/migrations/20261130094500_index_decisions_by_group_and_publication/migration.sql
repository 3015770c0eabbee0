-- CreateIndex
CREATE INDEX "decisions_group_published_at_idx" ON "decisions"("group", "published_at");
