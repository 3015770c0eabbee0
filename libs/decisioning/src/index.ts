export * from './audience-rule';
export * from './control-group';
export * from './eligibility';
export * from './expected-return';
export * from './uplift';
export * from './response-simulation';
