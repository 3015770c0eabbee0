import {
  buyAgain,
  coOccurrence,
  ease,
  evaluateTopN,
  interactionsOf,
  invertSymmetricPositiveDefinite,
  itemKnn,
  popularity,
  recommend,
  thenFill,
  timeSplit,
  trainRecommender,
  type PurchaseLine,
} from './index';

const DAY = 86_400_000;
const at = (day: number) => Date.UTC(2024, 0, 1) + day * DAY;
const line = (customerId: string, itemId: string, day: number): PurchaseLine => ({ customerId, itemId, atMs: at(day) });

describe('interactionsOf', () => {
  it('counts distinct purchases of an item per customer, its buyers, and nothing at or after now', () => {
    const data = interactionsOf(
      [
        line('c1', 'a', 1),
        line('c1', 'a', 1),
        line('c1', 'a', 5),
        line('c2', 'a', 2),
        line('c1', 'b', 3),
        line('c1', 'z', 10),
      ],
      at(10),
    );
    expect(data.catalog.ids).toEqual(['a', 'b']);
    const history = data.histories.get('c1')!;
    expect(history.counts[history.items.indexOf(data.catalog.indexOf('a')!)]).toBe(2);
    expect(history.lastMs[history.items.indexOf(data.catalog.indexOf('a')!)]).toBe(at(5));
    expect(Array.from(data.buyers)).toEqual([2, 1]);
  });
});

describe('invertSymmetricPositiveDefinite', () => {
  it('inverts an SPD matrix (A·A⁻¹ = I) and refuses one that is not', () => {
    const n = 6;
    const m = Array.from({ length: n * n }, (_, k) => Math.sin(k + 1));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < n; k++) a[i * n + j] += m[i * n + k] * m[j * n + k];
        if (i === j) a[i * n + j] += 0.5;
      }
    const inverse = Float64Array.from(a);
    invertSymmetricPositiveDefinite(inverse, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let product = 0;
        for (let k = 0; k < n; k++) product += a[i * n + k] * inverse[k * n + j];
        expect(product).toBeCloseTo(i === j ? 1 : 0, 9);
      }
    expect(() => invertSymmetricPositiveDefinite(Float64Array.from([0, 1, 1, 0]), 2)).toThrow(/not positive definite/);
  });
});

describe('recommenders', () => {
  // a and b are always bought together; c is the most popular; d goes with c.
  const lines = [
    ...['u1', 'u2', 'u3'].flatMap((id, k) => [line(id, 'a', k), line(id, 'b', k)]),
    ...['u4', 'u5', 'u6', 'u7'].flatMap((id, k) => [line(id, 'c', k), line(id, 'd', k)]),
    line('u8', 'c', 1),
    line('me', 'a', 2),
    line('me', 'c', 5),
    line('me', 'c', 6),
  ];
  const data = interactionsOf(lines, at(30));
  const index = (id: string) => data.catalog.indexOf(id)!;
  const names = (items: number[]) => items.map((item) => data.catalog.ids[item]);
  const me = data.histories.get('me');

  it('popularity ranks by distinct buyers; buy-again by count, then the popular fill', () => {
    // c has six buyers; a and d four each (a tie: the catalogue's order).
    expect(names(recommend(popularity(data), data, undefined, 3))).toEqual(['c', 'a', 'd']);
    expect(names(recommend(buyAgain(data), data, me, 3))).toEqual(['c', 'a', 'd']);
  });

  it('item-kNN and EASE recommend what goes with what the customer bought, never what is excluded', () => {
    const co = coOccurrence(data);
    const owned = new Set(me!.items);
    for (const model of [
      itemKnn(data, co, { neighbours: 10, halfLifeDays: null }),
      ease(data, co, { lambda: 1, maxItems: 10, halfLifeDays: null }),
    ]) {
      const top = names(recommend(model, data, me, 2, owned));
      expect(top.sort()).toEqual(['b', 'd']);
      expect(top).not.toContain('a');
    }
    // For a customer with a only, b comes first.
    const onlyA = { items: [index('a')], counts: [1], lastMs: [at(1)] };
    expect(
      names(
        recommend(
          ease(data, co, { lambda: 1, maxItems: 10, halfLifeDays: null }),
          data,
          onlyA,
          1,
          new Set([index('a')]),
        ),
      ),
    ).toEqual(['b']);
  });

  it('thenFill keeps the primary order and fills the rest from the second model', () => {
    const co = coOccurrence(data);
    const model = thenFill(buyAgain(data), ease(data, co, { lambda: 1, maxItems: 10, halfLifeDays: null }));
    expect(names(recommend(model, data, me, 4)).slice(0, 2)).toEqual(['c', 'a']);
  });
});

describe('evaluateTopN on the evaluate-recs protocol', () => {
  const lines = [
    line('x', 'a', 1),
    line('x', 'b', 2),
    line('x', 'a', 3),
    line('y', 'a', 3),
    line('z', 'c', 4),
    // after the cutoff (day 10): x buys a again and d (new), y buys b (new), w is new (not a test customer).
    line('x', 'a', 11),
    line('x', 'd', 12),
    line('y', 'b', 13),
    line('w', 'a', 14),
  ];

  it('scores hits, recall over min(n, relevant), NDCG and coverage; new items only drops owned ones', () => {
    const all = timeSplit(lines, at(10), 30, false);
    expect([...all.relevant.keys()].sort()).toEqual(['x', 'y']);
    expect(all.relevant.get('x')!.size).toBe(2); // a, and d which training never saw
    const metrics = evaluateTopN(buyAgain(all.data), all, 1);
    // x: top-1 is a (relevant); y: top-1 is a (not relevant: y bought b).
    expect(metrics.hitRate).toBe(0.5);
    expect(metrics.recall).toBe(0.5);
    expect(metrics.ndcg).toBe(0.5);
    expect(metrics.coverage).toBeCloseTo(1 / 3);

    const fresh = timeSplit(lines, at(10), 30, true);
    expect([...fresh.relevant.keys()].sort()).toEqual(['x', 'y']);
    // Owned items are never recommended: y gets b or c, not a.
    const top = recommend(
      popularity(fresh.data),
      fresh.data,
      fresh.data.histories.get('y'),
      3,
      new Set(fresh.data.histories.get('y')!.items),
    );
    expect(top.map((item) => fresh.data.catalog.ids[item])).not.toContain('a');
  });

  it('trains on the past only and says what it compared', async () => {
    const many: PurchaseLine[] = [];
    for (let c = 0; c < 60; c++)
      for (let d = 0; d < 120; d += 7)
        many.push(line(`c${c}`, `i${(c + d) % 9}`, d), line(`c${c}`, `i${(c * d) % 11}`, d + 1));
    many.push(line('c1', 'future-only', 200));
    const trained = await trainRecommender(many, at(130), { horizonDays: 30, newItemsOnly: false });
    expect(trained.data.catalog.indexOf('future-only')).toBeUndefined();
    expect(trained.validation.days).toBe(30);
    expect(trained.validation.candidates.length).toBeGreaterThan(5);
    expect(trained.model.name).toBe(trained.validation.candidates[0].name);
    expect(trained.validation.candidates.map((candidate) => candidate.name)).toContainEqual(
      expect.stringMatching(/^neural\(dae/),
    );
    expect(trained.verdict).toEqual({ publish: true, reason: 'no recommender is published yet', served: null });

    // Against a served recommender: never on no newer data; else the served method judged on the same split.
    const served = {
      version: 'v1',
      spec: { kind: 'popular', recent: false } as const,
      trainedAt: new Date(at(100)).toISOString(),
    };
    const options = { horizonDays: 30, newItemsOnly: false, neural: null };
    const same = await trainRecommender(many, at(100), { ...options, served });
    expect(same.verdict).toMatchObject({ publish: false, served: null });
    expect(same.verdict.reason).toMatch(/no newer purchases than v1/);
    const newer = await trainRecommender(many, at(130), { ...options, served });
    expect(newer.verdict.publish).toBe(true);
    expect(newer.verdict.served).toMatchObject({
      version: 'v1',
      name: 'popular',
      metrics: trained.validation.candidates.find((candidate) => candidate.name === 'popular')!.metrics,
    });
    // A served method the candidates do not include (item-kNN with other neighbours) is fitted on the split and judged.
    const other = await trainRecommender(many, at(130), {
      ...options,
      served: { ...served, spec: { kind: 'item-knn', neighbours: 3, halfLifeDays: null } },
    });
    expect(other.verdict.served?.name).toBe('item-knn(k=3)');
    expect(other.verdict.reason).toMatch(/item-knn\(k=3\) [\d.]+/);
  });
});
