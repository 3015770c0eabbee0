export * from './customer-state';
export * from './feature-vector';
