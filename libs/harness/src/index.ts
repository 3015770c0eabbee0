export * from './proc';
export * from './services';
