// Math's functions bound once: hot loops then skip a global lookup, which is slow in vm contexts (Jest's).
const { cos, log, PI, pow, sqrt } = Math;

/** A seeded uniform generator on [0, 1) (mulberry32): the same seed gives the same stream everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller). */
export function sampleNormal(random: () => number): number {
  const u = 1 - random();
  return sqrt(-2 * log(u)) * cos(2 * PI * random());
}

/**
 * A Gamma(shape, rate) draw by Marsaglia & Tsang (2000), "A simple method for generating gamma variables"; for
 * shape < 1, Gamma(shape + 1) · U^(1/shape).
 */
export function sampleGamma(random: () => number, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(random, shape + 1, rate) * pow(1 - random(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / sqrt(9 * d);
  for (;;) {
    const z = sampleNormal(random);
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = 1 - random();
    if (log(u) < 0.5 * z * z + d - d * v + d * log(v)) return (d * v) / rate;
  }
}

/** A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(random: () => number, a: number, b: number): number {
  const x = sampleGamma(random, a, 1);
  const y = sampleGamma(random, b, 1);
  return x / (x + y);
}

/** An exponential draw with the given rate. */
export function sampleExponential(random: () => number, rate: number): number {
  return -log(1 - random()) / rate;
}
