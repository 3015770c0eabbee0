import type { ClickstreamEvent } from '@cvp/contracts';
import type { LoadContext } from './load-context';
import { roundMoney } from './numbers';
import { RecentKeys } from './recent-keys';

/** One valid line of an order export (a row that passed the loader's checks). */
export interface OrderLine {
  /** Dataset-prefixed customer id. */
  customerId: string;
  occurredAt: string;
  productId: string;
  category?: string;
  /** Always positive; the sign lives in `refund`. */
  quantity: number;
  unitPrice: number;
  /** Money of the line, positive. */
  amount: number;
  /** A returned or cancelled line: it goes into the order's refund event instead of its purchase. */
  refund: boolean;
  /** The whole row as read, to recognise exact duplicates. */
  rowKey: string;
}

export interface OrderAssemblerOptions {
  /** Event ids are `<eventPrefix>:<orderId>` (purchase) and `<eventPrefix>:<orderId>:refund`. */
  eventPrefix: string;
  currency: string;
  /** An order closes once this many rows went by without one of its lines. */
  windowRows?: number;
  /** Upper bound on orders held open at once (memory), oldest closed first. */
  maxOpenOrders?: number;
}

interface OpenOrder {
  orderId: string;
  customerId: string;
  purchaseLines: OrderLine[];
  refundLines: OrderLine[];
  rowKeys: Set<string>;
  lastRow: number;
}

/**
 * Groups the lines of an order into one purchase event (and one refund event for its returned lines) while
 * streaming. Lines of one order are usually consecutive, but exports from spreadsheets interleave orders placed in
 * the same minute (Online Retail II has invoices split into fragments up to ~350 rows apart), so an order stays open
 * until `windowRows` rows passed without a line of it. Memory is bounded by the orders open in that window.
 */
export class OrderAssembler {
  private readonly open = new Map<string, OpenOrder>();
  private readonly closed = new RecentKeys(100_000);
  /** Customers with a purchase emitted so far: a refund of anyone else has no original in this load. */
  private readonly buyers = new Set<string>();
  private readonly windowRows: number;
  private readonly maxOpenOrders: number;

  constructor(
    private readonly context: LoadContext,
    private readonly options: OrderAssemblerOptions,
  ) {
    this.windowRows = options.windowRows ?? 5_000;
    this.maxOpenOrders = options.maxOpenOrders ?? 5_000;
  }

  /** Adds a valid line read at data row `row`. Duplicates, late rows and foreign customers are skipped here. */
  add(orderId: string, line: OrderLine, row: number): void {
    let order = this.open.get(orderId);
    if (!order) {
      // The order was emitted already: a line this far away cannot join it any more.
      if (this.closed.has(orderId)) return this.context.skip('late_order_row');
      order = {
        orderId,
        customerId: line.customerId,
        purchaseLines: [],
        refundLines: [],
        rowKeys: new Set(),
        lastRow: row,
      };
      this.open.set(orderId, order);
    } else if (line.customerId !== order.customerId) {
      return this.context.skip('customer_mismatch');
    } else if (order.rowKeys.has(line.rowKey)) {
      return this.context.skip('duplicate_row');
    }
    order.rowKeys.add(line.rowKey);
    (line.refund ? order.refundLines : order.purchaseLines).push(line);
    order.lastRow = row;
  }

  /** Events of the orders that are complete once data row `row` has been read, oldest first. */
  drain(row: number): ClickstreamEvent[] {
    const events: ClickstreamEvent[] = [];
    for (const order of this.open.values()) {
      if (row - order.lastRow <= this.windowRows && this.open.size <= this.maxOpenOrders) break;
      this.close(order, events);
    }
    return events;
  }

  /** Events of every order still open (end of file). */
  finish(): ClickstreamEvent[] {
    const events: ClickstreamEvent[] = [];
    for (const order of this.open.values()) this.close(order, events);
    return events;
  }

  private close(order: OpenOrder, events: ClickstreamEvent[]): void {
    this.open.delete(order.orderId);
    this.closed.add(order.orderId);
    const { eventPrefix, currency } = this.options;
    const base = { customerId: order.customerId, orderId: order.orderId, currency };
    if (order.purchaseLines.length > 0) {
      const purchase = this.context.accept(
        {
          ...base,
          eventId: `${eventPrefix}:${order.orderId}`,
          occurredAt: earliest(order.purchaseLines),
          type: 'purchase',
          items: order.purchaseLines.map(({ productId, category, quantity, unitPrice }) => ({
            productId,
            ...(category ? { category } : {}),
            quantity,
            unitPrice,
          })),
          total: roundMoney(order.purchaseLines.reduce((sum, line) => sum + line.amount, 0)),
        },
        order.purchaseLines.length,
      );
      if (purchase) {
        this.buyers.add(order.customerId);
        events.push(purchase);
      }
    }
    if (order.refundLines.length > 0) {
      if (!this.buyers.has(order.customerId)) {
        this.context.skip('cancelled_without_original', order.refundLines.length);
        return;
      }
      const refund = this.context.accept(
        {
          ...base,
          eventId: `${eventPrefix}:${order.orderId}:refund`,
          occurredAt: earliest(order.refundLines),
          type: 'refund',
          amount: roundMoney(order.refundLines.reduce((sum, line) => sum + line.amount, 0)),
        },
        order.refundLines.length,
      );
      if (refund) events.push(refund);
    }
  }
}

/** The time of the earliest line (lines of one order may straddle a minute, or a return come days later). */
function earliest(lines: OrderLine[]): string {
  let first = lines[0];
  for (const line of lines) if (Date.parse(line.occurredAt) < Date.parse(first.occurredAt)) first = line;
  return first.occurredAt;
}
