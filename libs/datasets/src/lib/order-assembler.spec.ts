import type { ClickstreamEvent } from '@cvp/contracts';
import type { LoadReport } from '../loader';
import { LoadContext } from './load-context';
import { OrderAssembler, type OrderLine } from './order-assembler';

const line = (productId: string, overrides: Partial<OrderLine> = {}): OrderLine => ({
  customerId: 'shop-1',
  occurredAt: '2024-01-01T10:00:00Z',
  productId,
  quantity: 1,
  unitPrice: 2,
  amount: 2,
  refund: false,
  rowKey: productId,
  ...overrides,
});

function setUp(windowRows: number, maxOpenOrders = 100) {
  const report: LoadReport = { format: 'test', path: '-', rowsRead: 0, eventsProduced: 0, skipped: {} };
  const orders = new OrderAssembler(new LoadContext(report), {
    eventPrefix: 'shop',
    currency: 'USD',
    windowRows,
    maxOpenOrders,
  });
  const events: ClickstreamEvent[] = [];
  let row = 0;
  const add = (orderId: string, orderLine: OrderLine) => {
    orders.add(orderId, orderLine, ++row);
    events.push(...orders.drain(row));
  };
  const finish = () => events.push(...orders.finish());
  return { report, events, add, finish };
}

describe('OrderAssembler', () => {
  it('joins interleaved fragments of an order within the window, in order of first appearance', () => {
    const { events, add, finish } = setUp(3);
    add('o1', line('a'));
    add('o2', line('b'));
    add('o1', line('c'));
    finish();
    expect(events.map((event) => [event.eventId, event.type === 'purchase' ? event.items.length : 0])).toEqual([
      ['shop:o1', 2],
      ['shop:o2', 1],
    ]);
  });

  it('skips a line that comes after its order was emitted, and counts it', () => {
    const { report, events, add, finish } = setUp(1);
    add('o1', line('a'));
    add('o2', line('b'));
    add('o3', line('c'));
    add('o1', line('d'));
    finish();
    expect(events.map((event) => event.eventId)).toEqual(['shop:o1', 'shop:o2', 'shop:o3']);
    expect(report.skipped).toEqual({ late_order_row: 1 });
  });

  it('closes the oldest order when too many are open', () => {
    const { events, add } = setUp(1_000, 2);
    add('o1', line('a'));
    add('o2', line('b'));
    expect(events).toEqual([]);
    add('o3', line('c'));
    expect(events.map((event) => event.eventId)).toEqual(['shop:o1']);
  });

  it('emits a refund only for a customer who bought before in this load', () => {
    const { report, events, add, finish } = setUp(0);
    add('C1', line('a', { refund: true, customerId: 'shop-2' }));
    add('o1', line('a'));
    add('C2', line('a', { refund: true, amount: 2.5 }));
    finish();
    expect(events.map((event) => event.eventId)).toEqual(['shop:o1', 'shop:C2:refund']);
    expect(events[1]).toMatchObject({ type: 'refund', amount: 2.5 });
    expect(report.skipped).toEqual({ cancelled_without_original: 1 });
  });
});
