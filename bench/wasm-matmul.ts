/**
 * The wasm backend's matrix products with transposed operands, stock and with `useFastWasmMatMul` (the fix
 * `selectBackend` installs), side by side in one process:
 *   node -r @swc-node/register bench/wasm-matmul.ts [--width 59] [--customers 20000] [--epochs 4]
 * 1. The four products of a backward pass on the value model's shapes ([6,144 × 64] by [64 × 64], as for 1,024
 *    customers at 6 points): ms each, and the largest difference from the untransposed reference.
 * 2. Integrated gradients (6 Gauss-Legendre points, the scorer's reasons) of a 3-member 64-64 ensemble: µs a customer
 *    in batches of 256, and the largest difference between the two sets of attributions.
 * 3. ZILN training (`trainZiln`, batch 256, a fixed number of epochs): ms an epoch.
 * Stock first (after a warm-up), then fixed. Prints a Markdown table; never gates anything.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import {
  integratedGradients,
  seededRandom,
  sampleNormal,
  syntheticExamples,
  trainZiln,
  trainZilnEnsemble,
  useFastWasmMatMul,
} from '@cvp/model';

const { values: args } = parseArgs({
  options: {
    width: { type: 'string', default: '59' },
    customers: { type: 'string', default: '20000' },
    epochs: { type: 'string', default: '4' },
  },
});
const WIDTH = Number(args.width);
const CUSTOMERS = Number(args.customers);
const EPOCHS = Number(args.epochs);

/** The synthetic examples' three columns, then noise up to the value model's width. */
function examples(count: number, seed: number) {
  const { rows, labels } = syntheticExamples(count, seed);
  const random = seededRandom(seed + 1);
  return {
    rows: rows.map((row) => [...row, ...Array.from({ length: WIDTH - row.length }, () => sampleNormal(random))]),
    labels,
  };
}

function timeMs(work: () => void, repeats: number): number {
  work();
  const started = performance.now();
  for (let i = 0; i < repeats; i++) work();
  return (performance.now() - started) / repeats;
}

interface Figures {
  products: Record<string, { ms: number; maxError: number }>;
  reasonsMicrosPerCustomer: number;
  attributions: number[][];
  trainMsPerEpoch: number;
}

async function measure(network: Awaited<ReturnType<typeof trainZilnEnsemble>>['model']): Promise<Figures> {
  const products: Figures['products'] = {};
  tf.tidy(() => {
    const a = tf.randomNormal([6144, 64], 0, 1, 'float32', 1);
    const w = tf.randomNormal([64, 64], 0, 1, 'float32', 2);
    const aT = tf.transpose(a);
    const wT = tf.transpose(w);
    const bias = tf.randomNormal([64], 0, 1, 'float32', 3);
    const cases: Record<string, [() => tf.Tensor, tf.Tensor]> = {
      'a · w': [() => tf.matMul(a, w), tf.matMul(a, w)],
      'a · wᵀ (input gradient)': [() => tf.matMul(a, w, false, true), tf.matMul(a, wT)],
      'aᵀ · a (kernel gradient)': [() => tf.matMul(a, a, true, false), tf.matMul(aT, a)],
      'relu(a · wᵀ + bias), fused': [
        () => tf.fused.matMul({ a, b: w, transposeB: true, bias, activation: 'relu' }),
        tf.relu(tf.matMul(a, wT).add(bias)),
      ],
    };
    for (const [name, [product, reference]] of Object.entries(cases)) {
      const maxError = tf.max(tf.abs(product().sub(reference))).dataSync()[0];
      const ms = timeMs(() => tf.tidy(() => void product().dataSync()), 20);
      products[name] = { ms: Math.round(ms * 100) / 100, maxError };
    }
  });
  const { rows } = examples(1024, 7);
  integratedGradients(network, rows.slice(0, 256));
  const started = performance.now();
  let attributions: number[][] = [];
  for (let start = 0; start < rows.length; start += 256) {
    attributions = attributions.concat(integratedGradients(network, rows.slice(start, start + 256)));
  }
  const reasonsMicrosPerCustomer = Math.round(((performance.now() - started) * 1000) / rows.length);
  const training = examples(CUSTOMERS, 3);
  const names = Array.from({ length: WIDTH }, (_, i) => `x${i}`);
  const { model, info } = await trainZiln(training.rows, training.labels, names, {
    maxEpochs: EPOCHS,
    patience: EPOCHS + 1,
    seed: 5,
  });
  model.dispose();
  return { products, reasonsMicrosPerCustomer, attributions, trainMsPerEpoch: Math.round(info.msPerEpoch) };
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const training = examples(4000, 11);
  const names = Array.from({ length: WIDTH }, (_, i) => `x${i}`);
  const { model: network } = await trainZilnEnsemble(training.rows, training.labels, names, 3, { maxEpochs: 3 });
  await measure(network); // warm-up
  const stock = await measure(network);
  useFastWasmMatMul();
  const fixed = await measure(network);
  let attributionDifference = 0;
  stock.attributions.forEach((row, i) =>
    row.forEach((value, j) => {
      attributionDifference = Math.max(attributionDifference, Math.abs(value - fixed.attributions[i][j]));
    }),
  );
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines = [
    `node -r @swc-node/register bench/wasm-matmul.ts --width ${WIDTH} --customers ${CUSTOMERS} --epochs ${EPOCHS}`,
    '',
    '| wasm backend | stock kernels | useFastWasmMatMul | stock / fixed |',
    '| --- | ---: | ---: | ---: |',
    ...Object.keys(stock.products).map((name) => {
      const [s, f] = [stock.products[name], fixed.products[name]];
      return `| ${name}: ms (max error) | ${s.ms} (${s.maxError.toExponential(1)}) | ${f.ms} (${f.maxError.toExponential(1)}) | ${ratio(s.ms, f.ms)} |`;
    }),
    `| reasons (integrated gradients, 6 points, 3 members): µs a customer | ${stock.reasonsMicrosPerCustomer} | ${fixed.reasonsMicrosPerCustomer} | ${ratio(stock.reasonsMicrosPerCustomer, fixed.reasonsMicrosPerCustomer)} |`,
    `| ZILN training, ${CUSTOMERS} customers × ${WIDTH} inputs: ms an epoch | ${stock.trainMsPerEpoch} | ${fixed.trainMsPerEpoch} | ${ratio(stock.trainMsPerEpoch, fixed.trainMsPerEpoch)} |`,
    '',
    `Largest difference between the two runs' attributions: ${attributionDifference.toExponential(2)}`,
  ];
  console.log(lines.join('\n'));
  network.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
