import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvPurchaseLines } from './evaluate-recs';

describe('csvPurchaseLines (a purchase-line log without money)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'cvp-recs-'));
  const file = join(folder, 'baskets.csv');
  writeFileSync(
    file,
    'user,ts,sku,qty\nu1,2024-01-02T10:00:00Z,A,2\nu1,1704189600,B,1\nu2,1704189600000,A,0\n,2024-01-02,C,1\n',
  );

  it('reads customer, time (ISO, epoch seconds or milliseconds) and item; skips rows with no purchase', async () => {
    const lines = await csvPurchaseLines(file, 'customer=user,time=ts,item=sku,quantity=qty');
    expect(lines).toEqual([
      { customerId: 'u1', itemId: 'A', atMs: Date.parse('2024-01-02T10:00:00Z') },
      { customerId: 'u1', itemId: 'B', atMs: 1704189600000 },
    ]);
  });

  it('names what the mapping lacks and a column the file lacks', async () => {
    await expect(csvPurchaseLines(file, 'customer=user,time=ts')).rejects.toThrow(/needs item/);
    await expect(csvPurchaseLines(file, 'customer=user,time=ts,item=product')).rejects.toThrow(/"product" \(item=\)/);
  });
});
