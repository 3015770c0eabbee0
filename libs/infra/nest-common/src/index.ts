export * from './health';
export * from './core.module';
export * from './bootstrap';
export * from './openapi';
export * from './erased';
export * from './log-privacy';
export * from './bad-request';
export * from './metrics';
