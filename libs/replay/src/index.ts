export * from './pacer';
export * from './replay';
export * from './sinks';
export * from './synthetic-dataset';
