export * from './audience-rule';
export * from './control-group';
export * from './eligibility';
