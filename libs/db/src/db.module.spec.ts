import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DbModule, PrismaService } from './db.module';

// Nothing listens on port 1: booting and closing must not need the database.
const UNREACHABLE_URL = 'postgresql://cvp:cvp@127.0.0.1:1/cvp';

@Injectable()
class TypedConfig {
  readonly databaseUrl = UNREACHABLE_URL;
}

@Module({ providers: [TypedConfig], exports: [TypedConfig] })
class ConfigModule {}

describe('DbModule', () => {
  it.each([
    ['forRoot', DbModule.forRoot({ databaseUrl: UNREACHABLE_URL })],
    [
      'forRootAsync',
      DbModule.forRootAsync({
        imports: [ConfigModule],
        inject: [TypedConfig],
        useFactory: (config: TypedConfig) => ({ databaseUrl: config.databaseUrl }),
      }),
    ],
  ])('%s provides a lazily connected PrismaService that disconnects on shutdown', async (_name, dbModule) => {
    @Module({ imports: [dbModule] })
    class AppModule {}

    const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    const prisma = app.get(PrismaService);
    expect(typeof prisma.campaign.findMany).toBe('function');
    const disconnect = jest.spyOn(prisma, '$disconnect');
    await app.close();
    expect(disconnect).toHaveBeenCalledTimes(1);
  });
});
