export * from './generated/client';
export { createPrismaClient } from './client';
export { DbModule, PrismaService, type DbModuleAsyncOptions, type DbModuleOptions } from './db.module';
export { checkDatabase, type RawQueryRunner } from './health';
export { DEFAULT_CAMPAIGN, seedDefaultCampaign } from './seed';
export { campaignOutcomes, type CampaignOutcomeRow } from './campaign-outcomes';
