export * from './tokens';
export * from './wire';
export * from './kafka.module';
export * from './producer.service';
export * from './consumer.server';
export * from './lag';
export * from './follow';
export * from './security';
