export * from './keys';
export * from './redis.module';
