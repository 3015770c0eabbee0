export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
