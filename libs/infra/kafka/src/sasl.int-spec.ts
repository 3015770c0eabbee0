/**
 * Both Kafka client libraries against a real broker that asks for SASL/SCRAM-SHA-256: a single KRaft node started here
 * from the jars `npm run infra:up` fetched (.infra/kafka/libs), with a user made at format time. Produces and consumes
 * one record with each client through the settings `kafkaSecurityFromEnv` reads (each in a process of its own, on the
 * built code), and checks a wrong password is refused.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@cvp/contracts';
import { createKafkaClient } from './kafka.module';
import { kafkaSecurityFromEnv } from './security';
import type { KafkaClientKind } from './wire';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..', '..', '..');
const LIBS = join(ROOT, '.infra', 'kafka', 'libs');
const PORT = 29_592;
const BROKERS = [`127.0.0.1:${PORT}`];
const USER = {
  KAFKA_SASL_MECHANISM: 'scram-sha-256',
  KAFKA_SASL_USERNAME: 'cvp',
  KAFKA_SASL_PASSWORD: 'cvp-scram-secret',
};

let broker: ChildProcess | undefined;
let home = '';

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

beforeAll(async () => {
  if (!existsSync(LIBS)) throw new Error(`no Kafka jars in ${LIBS}: run npm run infra:up first`);
  home = mkdtempSync(join(tmpdir(), 'cvp-kafka-sasl-'));
  const properties = join(home, 'server.properties');
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${PORT + 1}`,
      `listeners=SASL_PLAINTEXT://127.0.0.1:${PORT},CONTROLLER://127.0.0.1:${PORT + 1},INTERNAL://127.0.0.1:${PORT + 2}`,
      `advertised.listeners=SASL_PLAINTEXT://127.0.0.1:${PORT},INTERNAL://127.0.0.1:${PORT + 2}`,
      'listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT',
      'inter.broker.listener.name=INTERNAL',
      'controller.listener.names=CONTROLLER',
      'sasl.enabled.mechanisms=SCRAM-SHA-256',
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `log.dirs=${join(home, 'data')}`,
      'offsets.topic.replication.factor=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      'num.network.threads=2',
      'num.io.threads=2',
      // The log cleaner's 128 MiB default dedupe buffer in a 256 MiB heap failed the broker's start once (heap space).
      'log.cleaner.dedupe.buffer.size=16777216',
    ].join('\n'),
  );
  const java = ['-Xms128m', '-Xmx256m', '-cp', `${LIBS}/*`];
  execFileSync('java', [
    ...java,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    'cvp-sasl-test-cluster-1',
    '-c',
    properties,
    '--add-scram',
    `SCRAM-SHA-256=[name=${USER.KAFKA_SASL_USERNAME},password=${USER.KAFKA_SASL_PASSWORD}]`,
  ]);
  // Its output goes to a log, named in the error when it does not come up (it once did not within 120 s in CI).
  const logPath = join(home, 'broker.log');
  const log = openSync(logPath, 'w');
  broker = spawn('java', [...java, 'kafka.Kafka', properties], { stdio: ['ignore', log, log] });
  let exited: number | null = null;
  broker.once('exit', (code) => (exited = code ?? -1));
  const failed = (why: string) =>
    new Error(`the SASL broker ${why}; its log (${logPath}) ends:\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
  for (let i = 0; !(await portOpen(PORT)); i++) {
    if (exited !== null) throw failed(`exited with ${exited}`);
    if (i > 400) throw failed('did not start within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const admin = createKafkaClient({
    clientId: 'sasl-admin',
    brokers: BROKERS,
    security: kafkaSecurityFromEnv(USER),
  }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic: TOPICS.events, numPartitions: 1, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  await admin.disconnect();
});

afterAll(async () => {
  broker?.kill('SIGKILL');
  if (home) rmSync(home, { recursive: true, force: true });
});

/**
 * One record produced and consumed back with `client`, in a process of its own running the built code (`npm run
 * build` first, as `npm test` does): @platformatic/kafka is an ES module Jest cannot load. Resolves with its exit code
 * (0: the record came back; 3: the send failed) and what it printed.
 */
function roundTrip(
  client: KafkaClientKind,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const dist = join(ROOT, 'dist', 'libs', 'infra', 'kafka', 'src', 'index.js');
  const script = `
    const { createKafkaWire, KafkaProducerService, kafkaSecurityFromEnv } = require(${JSON.stringify(dist)});
    const id = 'sasl-' + process.env.CLIENT + '-' + Date.now();
    (async () => {
      const options = { clientId: id, brokers: ${JSON.stringify(BROKERS)}, client: process.env.CLIENT, security: kafkaSecurityFromEnv(process.env) };
      const wire = createKafkaWire(options);
      const producer = new KafkaProducerService(wire, { produceDeadlineMs: 8000 });
      const event = { eventId: id, customerId: 'c-' + id, occurredAt: '2026-01-01T00:00:00Z', type: 'page_view', url: '/' };
      try {
        await producer.send('${TOPICS.events}', [{ value: event }]);
      } catch (error) {
        console.log('send failed: ' + error.message);
        process.exit(3);
      }
      const loop = wire.consumer({ groupId: id, topics: ['${TOPICS.events}'], fromBeginning: true, partitionsConsumedConcurrently: 1 });
      await loop.start(async (batch, control) => {
        await control.commit(batch.records[batch.records.length - 1].offset);
        if (batch.records.some((record) => String(record.value).includes(id))) {
          console.log('round trip ok');
          process.exit(0);
        }
      });
      setTimeout(() => { console.log('the record did not come back'); process.exit(4); }, 30000);
    })().catch((error) => { console.log(error.stack); process.exit(5); });
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      env: { ...process.env, ...env, CLIENT: client, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe.each<KafkaClientKind>(['kafkajs', 'platformatic'])('%s over SASL/SCRAM-SHA-256', (client) => {
  it('produces and consumes with the right password', async () => {
    const result = await roundTrip(client, USER);
    expect({ code: result.code, output: result.output.trim().split('\n').pop() }).toEqual({
      code: 0,
      output: 'round trip ok',
    });
  });

  it('is refused with a wrong password', async () => {
    const result = await roundTrip(client, { ...USER, KAFKA_SASL_PASSWORD: 'not-the-password' });
    expect(result.code).toBe(3);
  });
});
