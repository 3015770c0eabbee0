import { z } from 'zod';
import { baseEnvSchema, ConfigError, loadConfig, port } from './env';

describe('loadConfig', () => {
  const schema = baseEnvSchema.extend({ PORT: port(3001) });

  it('applies defaults for a local machine', () => {
    const config = loadConfig(schema, {});
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.OTEL_SDK_DISABLED).toBe(true);
    expect(config.KAFKA_CLIENT).toBe('kafkajs');
  });

  it('takes the Kafka client library from KAFKA_CLIENT, only one it knows', () => {
    expect(loadConfig(schema, { KAFKA_CLIENT: 'platformatic' }).KAFKA_CLIENT).toBe('platformatic');
    expect(() => loadConfig(schema, { KAFKA_CLIENT: 'rdkafka' })).toThrow(/KAFKA_CLIENT/);
  });

  it('splits broker lists and coerces numbers', () => {
    const config = loadConfig(schema, { KAFKA_BROKERS: 'a:9092, b:9093', PORT: '4000' });
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(config.PORT).toBe(4000);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig(schema, { PORT: 'eighty', REDIS_URL: 'http://x', KAFKA_BROKERS: 'nohost' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/PORT/);
      expect(problems).toMatch(/REDIS_URL/);
      expect(problems).toMatch(/KAFKA_BROKERS/);
    }
  });

  it('keeps unknown variables out of the typed config', () => {
    const config = loadConfig(z.object({ A: z.string() }), { A: 'x', B: 'y' });
    expect(config).toEqual({ A: 'x' });
  });
});
