import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend';

/** Largest absolute difference between two tensors of one shape. */
const maxDifference = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(a.sub(b))).dataSync()[0]);

describe('the wasm backend multiplies transposed operands fast and right (useFastWasmMatMul)', () => {
  beforeAll(async () => {
    expect(await selectBackend('wasm', () => undefined)).toBe('wasm');
  });
  afterAll(async () => {
    await selectBackend('cpu', () => undefined);
  });

  const a = () => tf.randomNormal([37, 11], 0, 1, 'float32', 1);
  const b = () => tf.randomNormal([13, 11], 0, 1, 'float32', 2);
  const bias = () => tf.randomNormal([13], 0, 1, 'float32', 3);

  it('matMul with transposeA, transposeB or both equals the product of explicitly transposed operands', () => {
    tf.tidy(() => {
      const [x, w] = [a(), b()];
      const reference = tf.matMul(x, tf.transpose(w));
      expect(maxDifference(tf.matMul(x, w, false, true), reference)).toBeLessThan(1e-5);
      expect(maxDifference(tf.matMul(tf.transpose(x), w, true, true), reference)).toBeLessThan(1e-5);
      expect(maxDifference(tf.matMul(tf.transpose(x), tf.transpose(w), true, false), reference)).toBeLessThan(1e-5);
    });
  });

  it('fused matMul with transposeB, a bias and relu equals relu(a · bᵀ + bias) (wrong in the stock kernel)', () => {
    tf.tidy(() => {
      const [x, w, c] = [a(), b(), bias()];
      const reference = tf.relu(tf.matMul(x, tf.transpose(w)).add(c));
      const fused = tf.fused.matMul({ a: x, b: w, transposeB: true, bias: c, activation: 'relu' });
      expect(maxDifference(fused, reference)).toBeLessThan(1e-5);
    });
  });

  it('keeps no intermediate tensors and gives the same gradients as the cpu backend', async () => {
    const gradientOn = () =>
      tf.tidy(() => {
        const [x, w, c] = [a(), b(), bias()];
        return tf.grad((input: tf.Tensor) =>
          tf.fused.matMul({ a: input as tf.Tensor2D, b: w, transposeB: true, bias: c, activation: 'relu' }).sum(),
        )(x);
      });
    const before = tf.memory().numTensors;
    const onWasm = gradientOn();
    expect(tf.memory().numTensors).toBe(before + 1);
    const values = onWasm.arraySync();
    onWasm.dispose();
    await selectBackend('cpu', () => undefined);
    const onCpu = gradientOn();
    expect(maxDifference(tf.tensor(values), onCpu)).toBeLessThan(1e-5);
    onCpu.dispose();
    await selectBackend('wasm', () => undefined);
  });
});
