// Jest's node environment runs tests in a vm context with its own Float32Array, BigInt64Array ...; a native addon
// (onnxruntime-node) creates its outputs in the main context, and its `instanceof` checks then fail ("A float32
// tensor's data must be type of Float32Array"). This environment hands the test context the main context's typed
// arrays. Opt in per test file with a `@jest-environment ./tools/jest/native-typed-arrays.environment.js` docblock.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class NativeTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = NativeTypedArraysEnvironment;
