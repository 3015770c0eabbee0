export * from './loss';
export * from './normalization';
export * from './model';
export * from './backend';
export { useFastWasmMatMul } from './wasm-matmul';
export { syntheticExamples } from './synthetic-examples';
export * from './explain';
