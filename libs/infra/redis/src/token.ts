/** The Nest injection token of the Redis client (`RedisClient`: a server or a cluster). */
export const REDIS = Symbol('REDIS');
