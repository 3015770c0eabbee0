export * from './fs-io';
export * from './model-store';
export * from './announcement';
