import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import type { PinoLogger } from 'nestjs-pino';
import { featuresEnvSchema } from './config';
import { PersistenceGuard } from './persistence-guard';

/** A stand-in for the Redis client: the guard only listens for 'ready' and reads INFO persistence. */
class FakeRedis extends EventEmitter {
  status = 'ready';
  constructor(public aof: '0' | '1') {
    super();
  }
  async info() {
    return `# Persistence\r\naof_enabled:${this.aof}\r\n`;
  }
}

const logger = () => ({ setContext: jest.fn(), warn: jest.fn(), fatal: jest.fn() }) as unknown as PinoLogger;
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('PersistenceGuard', () => {
  let exit: jest.SpyInstance;
  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });
  afterEach(() => exit.mockRestore());

  it('exits on a Redis without the append-only file, at start and after a reconnection to one', async () => {
    const redis = new FakeRedis('1');
    const log = logger();
    new PersistenceGuard(redis as unknown as Redis, featuresEnvSchema.parse({}), log).onApplicationBootstrap();
    await settle();
    expect(exit).not.toHaveBeenCalled();
    redis.aof = '0';
    redis.emit('ready');
    await settle();
    expect(log.fatal).toHaveBeenCalledWith(expect.stringMatching(/appendonly yes/));
    expect(exit).toHaveBeenCalledWith(1);
  });

  it('only warns when persistence is not required', async () => {
    const log = logger();
    const config = featuresEnvSchema.parse({ REDIS_REQUIRE_PERSISTENCE: 'false' });
    new PersistenceGuard(new FakeRedis('0') as unknown as Redis, config, log).onApplicationBootstrap();
    await settle();
    expect(log.warn).toHaveBeenCalled();
    expect(exit).not.toHaveBeenCalled();
  });
});
