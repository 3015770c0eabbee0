import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { createKafkaClient, KafkajsWire } from './kafkajs.wire';
import { PlatformaticWire } from './platformatic.wire';
import { KafkaProducerService } from './producer.service';
import { KAFKA_CLIENT, KAFKA_OPTIONS, KAFKA_WIRE } from './tokens';
import type { KafkaWire, KafkaWireOptions } from './wire';

export { createKafkaClient };
export type KafkaModuleOptions = KafkaWireOptions;

/**
 * The client library that produces and consumes, by `options.client` (KAFKA_CLIENT): kafkajs by default. A kafkajs
 * client may be passed in to share its connections with the admin operations.
 */
export function createKafkaWire(options: KafkaWireOptions, kafka?: Kafka): KafkaWire {
  switch (options.client ?? 'kafkajs') {
    case 'kafkajs':
      return new KafkajsWire(kafka ?? createKafkaClient(options));
    case 'platformatic':
      return new PlatformaticWire(options);
  }
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
        { provide: KAFKA_WIRE, useFactory: (kafka: Kafka) => createKafkaWire(options, kafka), inject: [KAFKA_CLIENT] },
        KafkaProducerService,
        KafkaAdminCloser,
      ],
      exports: [KAFKA_CLIENT, KAFKA_WIRE, KAFKA_OPTIONS, KafkaProducerService],
    };
  }
}
