import {
  Global,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client';

export interface DbModuleOptions {
  databaseUrl: string;
}

/**
 * The Prisma client as a Nest provider. Prisma connects on the first query, so booting never waits on the database
 * (readiness does, through `checkDatabase`); the pool is closed on shutdown. Built by `DbModule`'s factory, hence no
 * `@Injectable()`.
 */
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(options: DbModuleOptions) {
    super({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}

export interface DbModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => DbModuleOptions | Promise<DbModuleOptions>;
}

@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return DbModule.forRootAsync({ useFactory: () => options });
  }

  /** For a URL that comes from the typed config: `forRootAsync({ inject: [AppConfig], useFactory: (c) => c.db })`. */
  static forRootAsync(options: DbModuleAsyncOptions): DynamicModule {
    return {
      module: DbModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: PrismaService,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => new PrismaService(await options.useFactory(...args)),
        },
      ],
      exports: [PrismaService],
    };
  }
}
