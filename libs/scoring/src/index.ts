export * from './rfm-heuristic';
export * from './model-scoring';
export * from './sweep';
export * from './customer-value';
export * from './review-reason';
export * from './conflate';
