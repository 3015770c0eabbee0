import * as tf from '@tensorflow/tfjs';

/** The two matrix-product kernels of the wasm backend: `tf.matMul` and `tf.fused.matMul` (every Dense layer). */
const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  [name: string]: unknown;
}

interface KernelArgs {
  inputs: Record<string, tf.TensorInfo>;
  backend: { disposeData(dataId: object): unknown };
  attrs: MatMulAttrs;
}

let patched = false;

/**
 * tfjs-backend-wasm multiplies with XNNPACK only when neither operand is transposed; `transposeA` or `transposeB`
 * falls back to a plain loop ~13× slower on this model's shapes ([6,144 × 64] · [64 × 64]ᵀ: 40 ms against 3 ms,
 * `bench/wasm-matmul.ts`), and `_FusedMatMul` with `transposeB`, a bias and an activation gives wrong results
 * (max error 11.9 on unit normals against `relu(a · bᵀ + bias)`; tfjs 4.22). Every backward pass takes those paths:
 * the gradient of `x · W` is `dy · Wᵀ` and `xᵀ · dy`. This wraps both kernels so that a transposed operand is
 * transposed first (the backend's own Transpose kernel) and the product runs untransposed. Registered once, for the
 * wasm backend only; other backends are untouched.
 */
export function useFastWasmMatMul(): void {
  if (patched) return;
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) return;
  for (const name of MATMUL_KERNELS) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        const { inputs, backend, attrs } = args as unknown as KernelArgs;
        if (!attrs.transposeA && !attrs.transposeB) return original.kernelFunc(args);
        const temporaries: tf.TensorInfo[] = [];
        const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
          const rank = x.shape.length;
          const perm = Array.from({ length: rank }, (_, axis) => axis);
          [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
          const swapped = transpose.kernelFunc({
            inputs: { x },
            backend: args.backend,
            attrs: { perm },
          }) as tf.TensorInfo;
          temporaries.push(swapped);
          return swapped;
        };
        try {
          return original.kernelFunc({
            inputs: {
              ...inputs,
              a: attrs.transposeA ? swapLastTwo(inputs.a) : inputs.a,
              b: attrs.transposeB ? swapLastTwo(inputs.b) : inputs.b,
            },
            backend: args.backend,
            attrs: { ...attrs, transposeA: false, transposeB: false },
          });
        } finally {
          for (const temporary of temporaries) backend.disposeData(temporary.dataId);
        }
      },
    });
  }
  patched = true;
}
