export * from './metrics';
export * from './glm';
export * from './basis';
export * from './learners';
export * from './selection';
export * from './policy';
export * from './evaluation';
export * from './campaign';
