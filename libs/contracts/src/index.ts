export * from './topics';
export * from './events';
export * from './messages';
export * from './validation';
