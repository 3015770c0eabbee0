export * from './encoder';
