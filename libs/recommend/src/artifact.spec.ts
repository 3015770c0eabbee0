import {
  decodeItemEntry,
  encodeItemEntry,
  itemUpdatesOf,
  mergeItemUpdates,
  recommend,
  recommendationsFor,
  recommenderArtifact,
  ServedRecommender,
  trainRecommender,
  type PurchaseLine,
} from './index';

const DAY = 86_400_000;
const at = (day: number) => Date.UTC(2024, 0, 1) + day * DAY;

// Two groups of products bought together; customers stay within a group.
const lines: PurchaseLine[] = [];
for (let c = 0; c < 80; c++) {
  const group = c % 2 === 0 ? ['a', 'b', 'c', 'd'] : ['w', 'x', 'y', 'z'];
  for (let d = 0; d < 150; d += 15)
    lines.push({ customerId: `c${c}`, itemId: group[(c + d) % 4], atMs: at(d + (c % 7)) });
}

describe('the recommender artifact', () => {
  let trained: Awaited<ReturnType<typeof trainRecommender>>;
  let artifact: ReturnType<typeof recommenderArtifact>;
  let served: ServedRecommender;
  beforeAll(async () => {
    trained = await trainRecommender(lines, at(160), { horizonDays: 30, newItemsOnly: false });
    artifact = JSON.parse(JSON.stringify(recommenderArtifact(trained)));
    served = new ServedRecommender(artifact, 'v1');
  });

  it('serves the lists the trained model makes', () => {
    for (const customerId of ['c0', 'c1', 'c2', 'c13']) {
      const history = trained.data.histories.get(customerId);
      const expected = recommend(trained.model, trained.data, history, 5).map((item) => trained.data.catalog.ids[item]);
      expect(served.recommend(history, [], 5)).toEqual(expected);
    }
  });

  it('lists a customer’s items with why, a viewed product among them, and excludes purchases when asked', () => {
    const hash = { a: encodeItemEntry({ purchases: 3, lastPurchaseMs: at(100), lastSeenMs: 0 }) };
    hash['y' as 'a'] = encodeItemEntry({ purchases: 0, lastPurchaseMs: 0, lastSeenMs: at(159) });
    const list = recommendationsFor(served, hash, { n: 4, excludePurchased: false, nowMs: at(160) });
    const reasons = { a: 'bought-before', y: 'viewed-lately' } as Record<string, string>;
    for (const item of list) expect(item.reason).toBe(reasons[item.productId] ?? 'goes-with-their-items');
    // The view a second ago changes the list (the view itself, or what goes with it).
    const withoutView = recommendationsFor(served, { a: hash.a }, { n: 4, excludePurchased: false, nowMs: at(160) });
    expect(list).not.toEqual(withoutView);
    const fresh = recommendationsFor(served, hash, { n: 4, excludePurchased: true, nowMs: at(160) });
    expect(fresh.map((item) => item.productId)).not.toContain('a');
    const newcomer = recommendationsFor(served, {}, { n: 3, excludePurchased: false, nowMs: at(160) });
    expect(newcomer.every((item) => item.reason === 'popular-now')).toBe(true);
    expect(() => new ServedRecommender({ ...artifact, format: 'other' as never }, 'v1')).toThrow(/format/);
  });
});

describe('item history', () => {
  it('counts purchases per event, keeps the latest times, and round-trips its encoding', () => {
    const items = itemUpdatesOf({
      type: 'purchase',
      eventId: 'e1',
      customerId: 'c',
      occurredAt: new Date(at(1)).toISOString(),
      orderId: 'o',
      total: 2,
      currency: 'USD',
      items: [
        { productId: 'p', quantity: 2, unitPrice: 1 },
        { productId: 'q', quantity: 0, unitPrice: 1 },
      ],
    } as never);
    mergeItemUpdates(
      items,
      itemUpdatesOf({
        type: 'product_view',
        eventId: 'e2',
        customerId: 'c',
        occurredAt: new Date(at(2)).toISOString(),
        productId: 'p',
      } as never),
    );
    expect([...items.keys()]).toEqual(['p']);
    expect(items.get('p')).toEqual({ purchases: 1, lastPurchaseMs: at(1), lastSeenMs: at(2) });
    expect(decodeItemEntry(encodeItemEntry(items.get('p')!))).toEqual(items.get('p'));
    expect(decodeItemEntry('nonsense')).toBeNull();
  });
});
