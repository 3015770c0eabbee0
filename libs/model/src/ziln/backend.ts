import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { useFastWasmMatMul } from './wasm-matmul';

export type BackendPreference = 'tensorflow' | 'wasm' | 'cpu';

/**
 * Default when no native binding is installed: measured with the ZILN MLP (64-64, batch 256) on the CDNOW
 * training examples, wasm is ~3× faster per epoch than the pure-JavaScript cpu backend (see the lib README).
 */
export const DEFAULT_PURE_BACKEND: 'wasm' | 'cpu' = 'wasm';

// A variable specifier: the bundler/type checker does not need the optional packages to exist.
const optionalRequire = (name: string): boolean => {
  try {
    require(name);
    return true;
  } catch {
    return false;
  }
};

const gpuVisible = () => existsSync('/dev/nvidia0') || existsSync('/dev/nvidiactl');

async function trySet(name: string): Promise<boolean> {
  try {
    return (await tf.setBackend(name)) && (await tf.ready(), tf.getBackend() === name);
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  if (!tf.findBackendFactory('wasm') && !optionalRequire('@tensorflow/tfjs-backend-wasm')) return false;
  if (!(await trySet('wasm'))) return false;
  useFastWasmMatMul();
  return true;
}

/**
 * Picks the TensorFlow.js backend: `@tensorflow/tfjs-node-gpu` when a GPU is visible, else `@tensorflow/tfjs-node`
 * (both register 'tensorflow'), else wasm, else the pure-JavaScript cpu. A `preferred` backend is tried first and
 * the chain continues below it when it is not available. Logs the choice (stderr by default) and returns its name.
 */
export async function selectBackend(
  preferred?: BackendPreference,
  logLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
  const chain: BackendPreference[] =
    preferred === 'cpu'
      ? ['cpu']
      : preferred === 'wasm'
        ? ['wasm', 'cpu']
        : ['tensorflow', DEFAULT_PURE_BACKEND, 'cpu'];
  if (!preferred && DEFAULT_PURE_BACKEND === 'cpu') chain.splice(1, 1, 'cpu', 'wasm');
  for (const name of chain) {
    let ok = false;
    let detail = '';
    if (name === 'tensorflow') {
      if (gpuVisible() && optionalRequire('@tensorflow/tfjs-node-gpu')) detail = ' (tfjs-node-gpu)';
      else if (optionalRequire('@tensorflow/tfjs-node')) detail = ' (tfjs-node)';
      ok = detail !== '' && (await trySet('tensorflow'));
    } else if (name === 'wasm') {
      ok = await tryWasm();
    } else {
      ok = await trySet('cpu');
    }
    if (ok) {
      logLine(`[ziln] TensorFlow.js backend: ${name}${detail}`);
      return name;
    }
    if (preferred === name) logLine(`[ziln] backend ${name} is not available, trying the next one`);
  }
  throw new Error('no TensorFlow.js backend could be initialised');
}
