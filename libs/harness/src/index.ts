export * from './proc';
export * from './services';
export * from './fuzz';
export * from './table';
export * from './poison';
export * from './routes';
export * from './redis-servers';
export * from './browser';
