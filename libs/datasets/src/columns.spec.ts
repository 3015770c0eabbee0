import { parseColumnMapping } from './columns';

describe('parseColumnMapping', () => {
  it('reads column keys and settings', () => {
    expect(
      parseColumnMapping('customer=Customer ID, time=InvoiceDate,amount=Total,order=InvoiceNo,source=acme,dates=dmy'),
    ).toEqual({
      customer: 'Customer ID',
      time: 'InvoiceDate',
      amount: 'Total',
      order: 'InvoiceNo',
      source: 'acme',
      dates: 'dmy',
    });
    expect(parseColumnMapping('customer=c,time=t,price=p,quantity=q')).toMatchObject({ price: 'p', source: 'csv' });
  });

  it.each([
    [undefined, 'needs a column mapping'],
    ['customer=c,time=t', 'needs amount= (money of the row) or price='],
    ['customer=c,amount=a', 'lacks time'],
    ['customer=c,time=t,amount=a,colour=red', 'unknown key "colour"'],
    ['customer=c,time=t,amount', 'bad column mapping "amount"'],
    ['customer=c,time=t,amount=a,amount=b', 'key "amount" appears twice'],
    ['customer=c,time=t,amount=a,source=my shop', 'source "my shop"'],
    ['customer=c,time=t,amount=a,dates=ymd', 'dates "ymd"'],
  ])('refuses %j', (mapping, message) => {
    expect(() => parseColumnMapping(mapping)).toThrow(message);
  });
});
