export * from './loss';
export * from './normalization';
export * from './model';
export * from './backend';
export { syntheticExamples } from './synthetic-examples';
export * from './explain';
