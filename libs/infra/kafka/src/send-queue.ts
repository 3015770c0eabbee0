import type { WireMessage } from './wire';

/** The records of one `send` call. */
export interface QueuedSend {
  topic: string;
  messages: WireMessage[];
}

/** Largest serialized size one combined send gathers (a send larger than this alone still goes, alone). */
export const DEFAULT_MAX_COMBINED_BYTES = 512 * 1024;

const sizeOf = (messages: readonly WireMessage[]): number => {
  let bytes = 0;
  for (const { key, value } of messages) bytes += (key?.length ?? 0) + (value?.length ?? 0);
  return bytes;
};

interface Waiting extends QueuedSend {
  bytes: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * One produce request in flight at a time, the sends that arrive meanwhile going together in the next. An idempotent
 * producer numbers each partition's records in sequence; a client that hands out the numbers only when a request
 * is acknowledged gives two requests in flight the same numbers, and the broker takes the second for a duplicate of
 * the first (acknowledges it, writes nothing) and refuses every later one as out of order. @platformatic/kafka 1.x
 * does that (`#sequences` moved after the response; fixed upstream in 2.x, which needs Node 22). The queue keeps the
 * wire's contract (a send resolves once its records are acknowledged, rejects with the error of the request that
 * carried them) and makes fewer, larger requests under load.
 */
export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private flushing = false;

  constructor(
    private readonly sendAll: (sends: QueuedSend[]) => Promise<void>,
    private readonly maxCombinedBytes = DEFAULT_MAX_COMBINED_BYTES,
  ) {}

  send(topic: string, messages: WireMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ topic, messages, bytes: sizeOf(messages), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Sends what waits, in order, one request at a time, until nothing does. */
  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const taken = [this.waiting.shift()!];
        let bytes = taken[0].bytes;
        while (this.waiting.length > 0 && bytes + this.waiting[0].bytes <= this.maxCombinedBytes) {
          bytes += this.waiting[0].bytes;
          taken.push(this.waiting.shift()!);
        }
        try {
          await this.sendAll(taken.map(({ topic, messages }) => ({ topic, messages })));
          for (const send of taken) send.resolve();
        } catch (error) {
          for (const send of taken) send.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
