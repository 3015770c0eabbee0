export * from './btyd-inputs';
export * from './examples';
export * from './value-model';
export * from './train';
