import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { KafkaProducerService } from './producer.service';
import { KAFKA_CLIENT, KAFKA_OPTIONS } from './tokens';

export interface KafkaModuleOptions {
  clientId: string;
  brokers: string[];
}

const LEVELS: Record<number, 'error' | 'warn' | 'log' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'log',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's logger, warnings and up (it is chatty below that). */
export function createKafkaClient(options: KafkaModuleOptions, logger = new Logger('kafkajs')): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[LEVELS[level] ?? 'log']({ msg: message, ...extra });
      },
  });
}

@Injectable()
class KafkaAdminCloser implements OnApplicationShutdown {
  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}
  async onApplicationShutdown(): Promise<void> {
    // The shared admin client (health checks) is closed here; producer and consumers close themselves.
    await closeHealthAdmin(this.kafka);
  }
}

const healthAdmins = new WeakMap<Kafka, ReturnType<Kafka['admin']>>();

/** Real readiness check: a metadata round trip to the cluster, bounded by `timeoutMs`. */
export async function checkKafka(kafka: Kafka, timeoutMs: number): Promise<void> {
  let admin = healthAdmins.get(kafka);
  if (!admin) {
    admin = kafka.admin({ retry: { retries: 0 } });
    healthAdmins.set(kafka, admin);
  }
  const ready = admin;
  await withTimeout(
    (async () => {
      await ready.connect();
      await ready.describeCluster();
    })(),
    timeoutMs,
    'kafka',
  );
}

async function closeHealthAdmin(kafka: Kafka): Promise<void> {
  const admin = healthAdmins.get(kafka);
  healthAdmins.delete(kafka);
  await admin?.disconnect();
}

export function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_OPTIONS, useValue: options },
        { provide: KAFKA_CLIENT, useFactory: () => createKafkaClient(options) },
        KafkaProducerService,
        KafkaAdminCloser,
      ],
      exports: [KAFKA_CLIENT, KAFKA_OPTIONS, KafkaProducerService],
    };
  }
}
