export * from './rfm-heuristic';
export * from './model-scoring';
