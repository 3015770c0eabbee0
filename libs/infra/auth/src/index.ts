export * from './api-keys';
export * from './guard';
