import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { lowerOwnPriority } from './priority';

describe('lowerOwnPriority', () => {
  it('leaves the priority alone for niceness 0', () => {
    const before = getPriority();
    expect(lowerOwnPriority(0)).toBe(0);
    expect(getPriority()).toBe(before);
  });

  it('renices this process, and a thread started afterwards inherits it', async () => {
    // Jest's worker process is thrown away after the suite; the niceness only rises (no privilege needed).
    const target = Math.min(19, getPriority() + 1);
    expect(lowerOwnPriority(target)).toBeGreaterThanOrEqual(1);
    expect(getPriority()).toBe(target);
    if (process.platform !== 'linux') return;
    // A new thread's own niceness, read from /proc by its kernel thread id.
    const worker = new Worker(
      `const { readFileSync } = require('node:fs');
       const { parentPort } = require('node:worker_threads');
       const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
       const stat = readFileSync('/proc/self/task/' + tid + '/stat', 'utf8');
       parentPort.postMessage(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));`,
      { eval: true },
    );
    const nice = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(nice).toBe(target);
  });
});
