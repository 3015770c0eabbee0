export * from './interactions';
export * from './models';
export * from './evaluation';
export * from './selection';
export * from './benchmark';
export * from './item-history';
export * from './artifact';
