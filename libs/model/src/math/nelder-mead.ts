export interface NelderMeadOptions {
  /** Size of the initial simplex: vertex i is x0 with coordinate i moved by this much (default 0.5). */
  initialStep?: number;
  /** Converged when every vertex is within this of the best one in every coordinate (default 1e-8)... */
  xTolerance?: number;
  /** ...and every vertex value is within this × max(1, |best value|) of the best one (default 1e-12). */
  fTolerance?: number;
  /** Most iterations of one run (default 5,000). */
  maxIterations?: number;
  /**
   * Most restarts: a converged run is started again from its best point with a fresh simplex, which undoes a
   * simplex that collapsed early; stop when a restart improves by no more than the f tolerance (default 5).
   */
  maxRestarts?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  /** Iterations over all runs. */
  iterations: number;
  evaluations: number;
  restarts: number;
  /** The last run met both tolerances before `maxIterations` and a restart found nothing better. */
  converged: boolean;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/**
 * Minimizes f by the Nelder-Mead simplex method with the standard coefficients (reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2; Lagarias et al. 1998, "Convergence properties of the Nelder-Mead simplex method in
 * low dimensions"). Deterministic: no randomness anywhere. A non-finite f counts as +Infinity, so a vertex
 * outside the domain is simply the worst one.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const initialStep = options.initialStep ?? 0.5;
  const xTolerance = options.xTolerance ?? 1e-8;
  const fTolerance = options.fTolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 5_000;
  const maxRestarts = options.maxRestarts ?? 5;
  let evaluations = 0;
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.POSITIVE_INFINITY;
  };

  let best = { x: [...x0], value: evaluate(x0) };
  let iterations = 0;
  let restarts = 0;
  for (;;) {
    const run = simplexRun(evaluate, best.x, best.value, initialStep, xTolerance, fTolerance, maxIterations);
    iterations += run.iterations;
    const improvement = best.value - run.value;
    const improved = run.value < best.value;
    if (improved) best = { x: run.x, value: run.value };
    const settled = improvement <= fTolerance * Math.max(1, Math.abs(best.value));
    if (!run.converged || settled || restarts >= maxRestarts) {
      return {
        x: best.x,
        value: best.value,
        iterations,
        evaluations,
        restarts,
        converged: run.converged && settled,
      };
    }
    restarts++;
  }
}

function simplexRun(
  evaluate: (x: readonly number[]) => number,
  start: number[],
  startValue: number,
  initialStep: number,
  xTolerance: number,
  fTolerance: number,
  maxIterations: number,
): { x: number[]; value: number; iterations: number; converged: boolean } {
  const dimension = start.length;
  let vertices: number[][] = [start];
  let values: number[] = [startValue];
  for (let i = 0; i < dimension; i++) {
    const vertex = [...start];
    vertex[i] += initialStep;
    vertices.push(vertex);
    values.push(evaluate(vertex));
  }
  const along = (from: readonly number[], to: readonly number[], factor: number) =>
    from.map((value, i) => value + factor * (to[i] - value));

  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    // Order best first; ties keep their order (Array.prototype.sort is stable), so runs are reproducible.
    const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    vertices = order.map((i) => vertices[i]);
    values = order.map((i) => values[i]);
    if (hasConverged(vertices, values, xTolerance, fTolerance)) {
      return { x: vertices[0], value: values[0], iterations, converged: true };
    }
    const worst = vertices[dimension];
    const centroid = new Array<number>(dimension).fill(0);
    for (let v = 0; v < dimension; v++) {
      for (let i = 0; i < dimension; i++) centroid[i] += vertices[v][i] / dimension;
    }
    const reflected = along(centroid, worst, -REFLECT);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < values[0]) {
      const expanded = along(centroid, worst, -EXPAND);
      const expandedValue = evaluate(expanded);
      if (expandedValue < reflectedValue) replaceWorst(expanded, expandedValue);
      else replaceWorst(reflected, reflectedValue);
      continue;
    }
    if (reflectedValue < values[dimension - 1]) {
      replaceWorst(reflected, reflectedValue);
      continue;
    }
    if (reflectedValue < values[dimension]) {
      const outside = along(centroid, reflected, CONTRACT);
      const outsideValue = evaluate(outside);
      if (outsideValue <= reflectedValue) {
        replaceWorst(outside, outsideValue);
        continue;
      }
    } else {
      const inside = along(centroid, worst, CONTRACT);
      const insideValue = evaluate(inside);
      if (insideValue < values[dimension]) {
        replaceWorst(inside, insideValue);
        continue;
      }
    }
    for (let v = 1; v <= dimension; v++) {
      vertices[v] = along(vertices[0], vertices[v], SHRINK);
      values[v] = evaluate(vertices[v]);
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  return { x: vertices[bestIndex], value: values[bestIndex], iterations, converged: false };

  function replaceWorst(vertex: number[], value: number): void {
    vertices[dimension] = vertex;
    values[dimension] = value;
  }
}

function hasConverged(vertices: number[][], values: number[], xTolerance: number, fTolerance: number): boolean {
  const best = vertices[0];
  const fScale = fTolerance * Math.max(1, Math.abs(values[0]));
  for (let v = 1; v < vertices.length; v++) {
    if (!(Math.abs(values[v] - values[0]) <= fScale)) return false;
    for (let i = 0; i < best.length; i++) if (Math.abs(vertices[v][i] - best[i]) > xTolerance) return false;
  }
  return true;
}
