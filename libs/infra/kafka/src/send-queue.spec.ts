import { SendQueue, type QueuedSend } from './send-queue';

const records = (tag: string, n = 1) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${tag}-${i}`, headers: {} }));

/** A sendAll whose requests the test acknowledges or fails one by one, recording what each carried. */
function controlledWire() {
  const requests: { sends: QueuedSend[]; settle: (error?: Error) => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const sendAll = (sends: QueuedSend[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      requests.push({
        sends,
        settle: (error) => {
          inFlight--;
          if (error) reject(error);
          else resolve();
        },
      });
    });
  return { requests, sendAll, mostInFlight: () => mostInFlight };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const values = (sends: QueuedSend[]) => sends.map((send) => `${send.topic}:${send.messages.map((m) => m.value)}`);

describe('SendQueue', () => {
  it('keeps one request in flight and sends what arrived meanwhile together, in order, in the next', async () => {
    const wire = controlledWire();
    const queue = new SendQueue(wire.sendAll);
    const settled: string[] = [];
    const first = queue.send('a', records('first')).then(() => settled.push('first'));
    await turn();
    const later = ['second', 'third', 'fourth'].map((tag, i) =>
      queue.send(i === 1 ? 'b' : 'a', records(tag)).then(() => settled.push(tag)),
    );
    await turn();
    expect(wire.requests).toHaveLength(1);
    expect(values(wire.requests[0].sends)).toEqual(['a:first-0']);

    wire.requests[0].settle();
    await first;
    await turn();
    expect(wire.requests).toHaveLength(2);
    expect(values(wire.requests[1].sends)).toEqual(['a:second-0', 'b:third-0', 'a:fourth-0']);
    expect(settled).toEqual(['first']);

    wire.requests[1].settle();
    await Promise.all(later);
    expect(settled).toEqual(['first', 'second', 'third', 'fourth']);
    expect(wire.mostInFlight()).toBe(1);
  });

  it('rejects only the sends the failed request carried, with its error, and goes on with the rest', async () => {
    const wire = controlledWire();
    const queue = new SendQueue(wire.sendAll);
    const first = queue.send('a', records('first'));
    await turn();
    const second = queue.send('a', records('second'));
    wire.requests[0].settle(new Error('NOT_ENOUGH_REPLICAS'));
    await expect(first).rejects.toThrow('NOT_ENOUGH_REPLICAS');
    await turn();
    expect(values(wire.requests[1].sends)).toEqual(['a:second-0']);
    wire.requests[1].settle();
    await expect(second).resolves.toBeUndefined();
  });

  it('gathers no more than the byte limit into one request (a larger send goes alone)', async () => {
    const wire = controlledWire();
    const queue = new SendQueue(wire.sendAll, 20);
    const sends = [queue.send('a', records('x', 1))];
    await turn();
    // 'big-0' + 'k0' is 7 bytes: two fit in 20, the third waits for the next request; the 50-byte one goes alone.
    sends.push(
      queue.send('a', records('big', 1)),
      queue.send('a', records('big', 1)),
      queue.send('a', records('big', 1)),
    );
    sends.push(
      queue.send('a', records('big', 1)),
      queue.send('a', [{ key: null, value: 'h'.repeat(50), headers: {} }]),
    );
    for (let i = 0; i < 4; i++) {
      await turn();
      wire.requests[i].settle();
    }
    await Promise.all(sends);
    expect(wire.requests.map((request) => request.sends.length)).toEqual([1, 2, 2, 1]);
  });

  it('sends at once again after the queue ran empty', async () => {
    const wire = controlledWire();
    const queue = new SendQueue(wire.sendAll);
    const first = queue.send('a', records('first'));
    await turn();
    wire.requests[0].settle();
    await first;
    const second = queue.send('a', records('second'));
    await turn();
    expect(wire.requests).toHaveLength(2);
    wire.requests[1].settle();
    await second;
  });
});
