import { retryRetriable } from './lag';

describe('retryRetriable', () => {
  it('retries what Kafka marks retriable and gives up at once on the rest', async () => {
    let calls = 0;
    const coordinatorMoving = Object.assign(new Error('This is not the correct coordinator for this group'), {
      retriable: true,
    });
    await expect(
      retryRetriable(async () => {
        if (++calls < 3) throw coordinatorMoving;
        return 'lag';
      }),
    ).resolves.toBe('lag');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      retryRetriable(async () => {
        calls++;
        throw new Error('unknown topic');
      }),
    ).rejects.toThrow('unknown topic');
    expect(calls).toBe(1);
    await expect(retryRetriable(async () => Promise.reject(coordinatorMoving), 2)).rejects.toBe(coordinatorMoving);
  });
});
