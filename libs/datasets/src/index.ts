export * from './synthetic';
export * from './loader';
export { parseColumnMapping, type ColumnMapping } from './columns';
export { TimestampParser, type DateOrder } from './lib/time';
export * from './summary';
export * from './labelled-reviews';
export * from './hillstrom';
export * from './synthetic-trial';
