/** The kafkajs client: admin operations (health, lag, topic offsets) and the broadcast follower. */
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
/** The client library that produces and consumes records (`KafkaWire`, chosen by KAFKA_CLIENT). */
export const KAFKA_WIRE = Symbol('KAFKA_WIRE');
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');
