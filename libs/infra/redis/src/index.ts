export * from './keys';
export * from './redis.module';
export * from './score-hash';
export * from './clock';
export * from './erase';
export * from './cluster';
export * from './layout';
