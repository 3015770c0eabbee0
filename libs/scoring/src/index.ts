export * from './rfm-heuristic';
