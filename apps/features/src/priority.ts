import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers this process's CPU priority to `niceness` (0..19, higher yields more). On Linux niceness is per thread: every
 * thread running now is reniced, and threads started later (the ONNX runtime's, libuv's pool) inherit it from the
 * thread that starts them. Elsewhere, the process's. Returns how many threads were reniced; 0 for `niceness` 0.
 */
export function lowerOwnPriority(niceness: number): number {
  if (niceness <= 0) return 0;
  let threads: string[];
  try {
    threads = readdirSync('/proc/self/task');
  } catch {
    setPriority(niceness);
    return 1;
  }
  let reniced = 0;
  for (const tid of threads) {
    try {
      setPriority(Number(tid), niceness);
      reniced++;
    } catch {
      // A thread that ended between the listing and now.
    }
  }
  return reniced;
}
