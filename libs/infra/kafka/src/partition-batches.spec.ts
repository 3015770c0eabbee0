import { forEachLimited, groupByPartition, notYetCommitted, retryDelayMs, textHeaders } from './partition-batches';

const at = (topic: string, partition: number, offset: number) => ({ topic, partition, offset: BigInt(offset) });

describe('groupByPartition', () => {
  it('makes one group per topic-partition, in offset order, groups in order of first arrival', () => {
    const groups = groupByPartition([at('a', 1, 10), at('a', 0, 4), at('a', 1, 11), at('b', 1, 7), at('a', 0, 5)]);
    expect(groups.map((group) => group.map((m) => `${m.topic}:${m.partition}@${m.offset}`))).toEqual([
      ['a:1@10', 'a:1@11'],
      ['a:0@4', 'a:0@5'],
      ['b:1@7'],
    ]);
  });
});

describe('notYetCommitted', () => {
  const batch = [at('a', 0, 4), at('a', 0, 5), at('a', 0, 6)];
  it('keeps everything when nothing was committed', () => {
    expect(notYetCommitted(batch, undefined)).toHaveLength(3);
  });
  it('drops what is at or before the committed offset (a retry resumes after it)', () => {
    expect(notYetCommitted(batch, 5n).map((m) => m.offset)).toEqual([6n]);
    expect(notYetCommitted(batch, 6n)).toEqual([]);
  });
});

describe('textHeaders', () => {
  it('turns header bytes into text, skipping headers without a value', () => {
    const headers = new Map<Buffer, Buffer | undefined>([
      [Buffer.from('traceparent'), Buffer.from('00-abc-01')],
      [Buffer.from('empty'), undefined],
    ]);
    expect(textHeaders(headers)).toEqual({ traceparent: '00-abc-01' });
    expect(textHeaders(undefined)).toEqual({});
  });
});

describe('retryDelayMs', () => {
  it('doubles from 300 ms and stops at 30 s', () => {
    expect([1, 2, 3].map(retryDelayMs)).toEqual([300, 600, 1200]);
    expect(retryDelayMs(20)).toBe(30_000);
  });
});

describe('forEachLimited', () => {
  it('does every item, never more than `limit` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachLimited([1, 2, 3, 4, 5], 2, async (item) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      done.push(item);
      running--;
    });
    expect(done.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('runs one at a time, in order, with a limit of 1', async () => {
    const order: number[] = [];
    await forEachLimited([3, 1, 2], 1, async (item) => {
      await new Promise((resolve) => setImmediate(resolve));
      order.push(item);
    });
    expect(order).toEqual([3, 1, 2]);
  });
});
