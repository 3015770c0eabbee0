import { Logger } from '@nestjs/common';
import { propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { extractTraceContext } from '@cvp/telemetry';
import { MESSAGE_SCHEMAS, TOPICS, type ClickstreamEvent } from '@cvp/contracts';
import {
  KafkaConsumerServer,
  PermanentError,
  type KafkaConsumerServerOptions,
  type RecordBatch,
} from './consumer.server';
import { KafkaProducerService, ProduceDeadlineExceeded } from './producer.service';
import type { BatchControl, BatchHandler, ConsumerLoopOptions, KafkaWire, PartitionBatch, WireMessage } from './wire';

/** A client library that records what goes on the wire and lets the test play the consumer loop. */
class FakeWire implements KafkaWire {
  readonly kind = 'kafkajs' as const;
  readonly sent: { topic: string; messages: WireMessage[] }[] = [];
  /** Sends that fail before the next one goes through (the broker unreachable). */
  failures = 0;
  attempts = 0;
  /** Sends that never answer (a client lost in its own retries). */
  hang = false;
  /** Set to play a consumer that crashed and stays down. */
  crashed: string | null = null;
  loop?: ConsumerLoopOptions;
  handler?: BatchHandler;

  producer() {
    return {
      connect: async () => undefined,
      send: async (topic: string, messages: WireMessage[]) => {
        this.attempts++;
        if (this.hang) return new Promise<void>(() => undefined);
        if (this.failures > 0) {
          this.failures--;
          throw new Error('broker not available');
        }
        this.sent.push({ topic, messages });
      },
      disconnect: async () => undefined,
    };
  }

  consumer(options: ConsumerLoopOptions) {
    this.loop = options;
    return {
      start: async (handler: BatchHandler) => void (this.handler = handler),
      stop: async () => undefined,
      unwrap: () => undefined,
      failure: () => this.crashed,
    };
  }
}

const view = (customerId: string, n: number): ClickstreamEvent => ({
  eventId: `${customerId}-v${n}`,
  customerId,
  occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, n)).toISOString(),
  type: 'page_view',
  url: '/home',
});
const record = (offset: number, value: unknown) => ({
  offset: String(offset),
  key: Buffer.from('c1'),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
});

function control(active = () => true) {
  const commits: string[] = [];
  const value: BatchControl = {
    isActive: active,
    heartbeat: async () => undefined,
    commit: async (offset) => void commits.push(offset),
  };
  return { commits, control: value };
}

async function serverWith(
  handle: (batch: RecordBatch<ClickstreamEvent>) => Promise<void>,
  maxRecordsPerCall = 500,
  retries: Pick<
    KafkaConsumerServerOptions,
    'maxAttempts' | 'retryBackoffMs' | 'dependenciesHealthy' | 'maxFutureSkewMs' | 'erasedCustomers'
  > = {},
): Promise<{ wire: FakeWire; run: (batch: PartitionBatch, control: BatchControl) => Promise<void> }> {
  const wire = new FakeWire();
  const server = new KafkaConsumerServer({
    wire,
    producer: new KafkaProducerService(wire),
    groupId: 'cvp-test',
    maxRecordsPerCall,
    ...retries,
  });
  server.addHandler(TOPICS.events, handle as never, true);
  await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
  return { wire, run: (batch, ctl) => wire.handler!(batch, ctl) };
}

// Dead-letter warnings are expected here; the assertions read what reached the wire.
beforeAll(() => Logger.overrideLogger(false));

describe('KafkaConsumerServer over the wire seam', () => {
  it('subscribes through the wire with the group, the topics of its handlers and the defaults', async () => {
    const { wire } = await serverWith(async () => undefined);
    expect(wire.loop).toEqual({
      groupId: 'cvp-test',
      topics: [TOPICS.events],
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
    });
  });

  it('hands valid records over in chunks, dead-letters bad ones with the reason, commits each chunk', async () => {
    const seen: string[][] = [];
    const { wire, run } = await serverWith(async (batch) => {
      seen.push(batch.records.map((r) => `${r.offset}:${r.value.eventId}`));
      expect(batch.records[0].traceContext).toBeDefined();
    }, 2);
    const { commits, control: ctl } = control();
    await run(
      {
        topic: TOPICS.events,
        partition: 3,
        records: [
          record(10, view('c1', 1)),
          record(11, 'not json'),
          record(12, view('c1', 2)),
          record(13, { customerId: 'c1', type: 'teleport' }),
          record(14, null),
        ],
      },
      ctl,
    );
    expect(seen).toEqual([['10:c1-v1'], ['12:c1-v2']]);
    expect(commits).toEqual(['11', '13', '14']);
    const letters = wire.sent.flatMap(({ topic, messages }) => messages.map((m) => ({ topic, ...m })));
    expect(letters.map((l) => [l.topic, l.headers['cvp-dlt-source-offset']])).toEqual([
      [`${TOPICS.events}.dlt`, '11'],
      [`${TOPICS.events}.dlt`, '13'],
      [`${TOPICS.events}.dlt`, '14'],
    ]);
    expect(letters[0].headers['cvp-dlt-reason']).toMatch(/^not JSON/);
    expect(letters[0].headers.traceparent).toBe(record(0, null).headers.traceparent);
    expect(letters[1].headers['cvp-dlt-reason']).toMatch(/^contract cvp\.events\.v1/);
    expect(letters[2].headers['cvp-dlt-reason']).toBe('empty record value');
  });

  it('dead-letters an event dated past its clock plus the allowed skew, before the handler sees it', async () => {
    const seen: string[] = [];
    const { wire, run } = await serverWith(
      async (batch) => void seen.push(...batch.records.map((r) => r.value.eventId)),
      500,
      { maxFutureSkewMs: 60_000 },
    );
    const soon = { ...view('c1', 2), eventId: 'soon', occurredAt: new Date(Date.now() + 30_000).toISOString() };
    const far = { ...view('c1', 3), eventId: 'far', occurredAt: '9999-12-31T00:00:00Z' };
    await run({ topic: TOPICS.events, partition: 0, records: [record(1, far), record(2, soon)] }, control().control);
    expect(seen).toEqual(['soon']);
    const [letter] = wire.sent.flatMap(({ messages }) => messages);
    expect(letter.headers['cvp-dlt-reason']).toMatch(/^occurredAt 9999-12-31T00:00:00Z is after .* allowed skew/);
  });

  it('commits the records of erased customers without handing them over, asking again while the lookup fails', async () => {
    const seen: string[] = [];
    let failures = 1;
    const { wire, run } = await serverWith(
      async (batch) => void seen.push(...batch.records.map((r) => r.value.eventId)),
      500,
      {
        retryBackoffMs: 1,
        erasedCustomers: async (ids) => {
          if (failures-- > 0) throw new Error('Redis and PostgreSQL down');
          return new Set(ids.filter((id) => id === 'gone'));
        },
      },
    );
    const { commits, control: ctl } = control();
    await run(
      { topic: TOPICS.events, partition: 0, records: [record(1, view('gone', 1)), record(2, view('kept', 2))] },
      ctl,
    );
    expect(seen).toEqual(['kept-v2']);
    expect(commits).toEqual(['2']);
    expect(wire.sent).toEqual([]);
  });

  it('narrows a PermanentError down to the record that causes it', async () => {
    const { wire, run } = await serverWith(async (batch) => {
      if (batch.records.some((r) => r.value.eventId === 'c1-v2')) throw new PermanentError('no such campaign');
    });
    const { commits, control: ctl } = control();
    await run({ topic: TOPICS.events, partition: 0, records: [1, 2, 3].map((n) => record(n, view('c1', n))) }, ctl);
    expect(wire.sent).toHaveLength(1);
    expect(wire.sent[0].messages.map((m) => [m.headers['cvp-dlt-source-offset'], m.headers['cvp-dlt-reason']])).toEqual(
      [['2', 'no such campaign']],
    );
    expect(commits).toEqual(['3']);
  });

  it('retries a failing record, then dead-letters it with the error and attempts, and the partition moves on', async () => {
    const calls: string[][] = [];
    const { wire, run } = await serverWith(
      async (batch) => {
        calls.push(batch.records.map((r) => r.value.eventId));
        if (batch.records.some((r) => r.value.eventId === 'c1-v3')) throw new Error('value too long for the column');
      },
      500,
      { maxAttempts: 3, retryBackoffMs: 1 },
    );
    const { commits, control: ctl } = control();
    const records = [1, 2, 3, 4, 5].map((n) => record(n, view('c1', n)));
    await run({ topic: TOPICS.events, partition: 0, records }, ctl);
    const letters = wire.sent.flatMap((sent) => sent.messages);
    expect(letters.map((m) => [m.headers['cvp-dlt-source-offset'], m.headers['cvp-dlt-attempts']])).toEqual([
      ['3', '3'],
    ]);
    expect(letters[0].headers['cvp-dlt-reason']).toBe('failed 3 attempts: value too long for the column');
    expect(commits).toEqual(['5']);
    // 3 attempts on the batch, then halves: [1,2,3] x3 -> [1,2] ok, [3] x3; [4,5] ok. Every record handled.
    expect(calls.filter((ids) => ids.length === 5)).toHaveLength(3);
    expect(new Set(calls.flat())).toEqual(new Set(records.map((_, i) => `c1-v${i + 1}`)));
  });

  it('does not count attempts while the dependencies are down: an outage holds the partition, it loses nothing', async () => {
    let healthy = false;
    let calls = 0;
    const { wire, run } = await serverWith(
      async () => {
        calls++;
        if (calls === 6) healthy = true; // the outage ends after five failed calls
        if (!healthy) throw new Error('redis down');
      },
      500,
      { maxAttempts: 2, retryBackoffMs: 1, dependenciesHealthy: async () => healthy },
    );
    const { commits, control: ctl } = control();
    await run({ topic: TOPICS.events, partition: 0, records: [1, 2].map((n) => record(n, view('c1', n))) }, ctl);
    expect(calls).toBe(6);
    expect(wire.sent).toEqual([]);
    expect(commits).toEqual(['2']);
  });

  it('rethrows without committing when the partition was taken away during the retries', async () => {
    let active = true;
    const { wire, run } = await serverWith(
      async () => {
        active = false; // a rebalance while the handler runs
        throw new Error('redis down');
      },
      500,
      { retryBackoffMs: 1 },
    );
    const { commits, control: ctl } = control(() => active);
    await expect(run({ topic: TOPICS.events, partition: 0, records: [record(1, view('c1', 1))] }, ctl)).rejects.toThrow(
      'redis down',
    );
    // The new owner of the partition retries from the last commit: nothing committed, nothing dead-lettered here.
    expect(commits).toEqual([]);
    expect(wire.sent).toEqual([]);
  });

  it('stops between chunks once the loop says the batch is no longer active', async () => {
    const handled: number[] = [];
    let active = true;
    const { run } = await serverWith(async (batch) => {
      handled.push(batch.records.length);
      active = false;
    }, 1);
    const { commits, control: ctl } = control(() => active);
    await run({ topic: TOPICS.events, partition: 0, records: [1, 2, 3].map((n) => record(n, view('c1', n))) }, ctl);
    expect(handled).toEqual([1]);
    expect(commits).toEqual(['1']);
  });
});

describe('KafkaProducerService over the wire seam', () => {
  it('sends validated JSON keyed by customer with content type, topic and trace headers', async () => {
    const wire = new FakeWire();
    const producer = new KafkaProducerService(wire);
    await producer.send(TOPICS.events, [{ value: view('c7', 1) }]);
    expect(wire.sent).toHaveLength(1);
    const [message] = wire.sent[0].messages;
    expect(wire.sent[0].topic).toBe(TOPICS.events);
    expect(message.key).toBe('c7');
    expect(JSON.parse(String(message.value))).toEqual(view('c7', 1));
    expect(message.headers).toMatchObject({ 'content-type': 'application/json', 'cvp-topic': TOPICS.events });
  });

  it('refuses an invalid message before anything reaches the wire', async () => {
    const wire = new FakeWire();
    const producer = new KafkaProducerService(wire);
    await expect(
      producer.send(TOPICS.events, [{ value: { ...view('c7', 1), occurredAt: 'yesterday' } as ClickstreamEvent }]),
    ).rejects.toThrow(/refusing to produce an invalid cvp\.events\.v1 message #0: occurredAt/);
    expect(wire.sent).toEqual([]);
  });

  it('does not parse again what the caller says the topic schema already returned (validated)', async () => {
    const wire = new FakeWire();
    const producer = new KafkaProducerService(wire);
    const parsed = MESSAGE_SCHEMAS[TOPICS.events].parse(view('c7', 1));
    const parse = jest.spyOn(MESSAGE_SCHEMAS[TOPICS.events], 'safeParse');
    try {
      await producer.send(TOPICS.events, [{ value: parsed }], { validated: true });
      expect(parse).not.toHaveBeenCalled();
      await producer.send(TOPICS.events, [{ value: parsed }]);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
    expect(wire.sent.map((sent) => JSON.parse(String(sent.messages[0].value)))).toEqual([view('c7', 1), view('c7', 1)]);
  });

  it('sends again with backoff until acknowledged, and gives up at the deadline with ProduceDeadlineExceeded', async () => {
    const wire = new FakeWire();
    wire.failures = 2;
    const producer = new KafkaProducerService(wire, { produceDeadlineMs: 5_000 });
    await producer.send(TOPICS.events, [{ value: view('c7', 1) }]);
    expect(wire.attempts).toBe(3);
    expect(wire.sent).toHaveLength(1);

    const down = new FakeWire();
    down.failures = Number.POSITIVE_INFINITY;
    const impatient = new KafkaProducerService(down, { produceDeadlineMs: 500 });
    const started = Date.now();
    const failure = await impatient.send(TOPICS.events, [{ value: view('c7', 2) }]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProduceDeadlineExceeded);
    expect((failure as ProduceDeadlineExceeded).message).toMatch(/did not acknowledge cvp\.events\.v1 within \d+ ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(down.attempts).toBeGreaterThan(1);
    expect(down.sent).toEqual([]);

    // A client stuck in its own retries does not hold the caller past the deadline.
    const stuck = new FakeWire();
    stuck.hang = true;
    const bounded = new KafkaProducerService(stuck, { produceDeadlineMs: 300 });
    const since = Date.now();
    await expect(bounded.send(TOPICS.events, [{ value: view('c7', 3) }])).rejects.toBeInstanceOf(
      ProduceDeadlineExceeded,
    );
    expect(Date.now() - since).toBeLessThan(1_500);
  });

  it("reports the loop's own failure, for liveness", async () => {
    const { wire } = await serverWith(async () => undefined);
    const server = new KafkaConsumerServer({ wire, producer: new KafkaProducerService(wire), groupId: 'g' });
    expect(server.failure()).toBeNull();
    server.addHandler(TOPICS.events, (async () => undefined) as never, true);
    await new Promise<void>((resolve, reject) => server.listen((error) => (error ? reject(error) : resolve())));
    expect(server.failure()).toBeNull();
    wire.crashed = 'consumer crashed: The group is rebalancing';
    expect(server.failure()).toBe('consumer crashed: The group is rebalancing');
  });
});

describe('trace spans through Kafka', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });
  afterAll(() => trace.disable());

  it('a span per produced message, child of the trace it continues, whose context travels in the headers', async () => {
    exporter.reset();
    const wire = new FakeWire();
    const parent = extractTraceContext(record(0, null).headers);
    await new KafkaProducerService(wire).send(TOPICS.events, [
      { value: view('c1', 1), traceContext: parent },
      { value: view('c1', 2), traceContext: parent },
    ]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.kind])).toEqual([
      ['send cvp.events.v1', SpanKind.PRODUCER],
      ['send cvp.events.v1', SpanKind.PRODUCER],
    ]);
    const [traceId, parentId] = ['4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7'];
    expect(spans.every((span) => span.spanContext().traceId === traceId)).toBe(true);
    expect(spans.every((span) => span.parentSpanContext?.spanId === parentId)).toBe(true);
    const sent = wire.sent[0].messages.map((message) => message.headers.traceparent);
    expect(sent).toEqual(spans.map((span) => `00-${traceId}-${span.spanContext().spanId}-01`));
  });

  it('a span per handled batch, linked to its records’ producer spans', async () => {
    const { run } = await serverWith(async () => undefined);
    exporter.reset();
    await run(
      { topic: TOPICS.events, partition: 2, records: [record(1, view('c1', 1)), record(2, view('c1', 2))] },
      control().control,
    );
    const [batch] = exporter.getFinishedSpans().filter((span) => span.name === 'process cvp.events.v1');
    expect(batch.kind).toBe(SpanKind.CONSUMER);
    expect(batch.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'cvp-test',
      'messaging.batch.message_count': 2,
    });
    expect(batch.links.map((link) => link.context.spanId)).toEqual(['00f067aa0ba902b7', '00f067aa0ba902b7']);
  });
});
