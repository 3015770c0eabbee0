export * from './fs-io';
export * from './model-store';
