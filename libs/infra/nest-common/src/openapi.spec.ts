import { z } from 'zod';
import { hoistDefinitions } from './openapi';

type Rule = { field: string } | { all: Rule[] };
const rule: z.ZodType<Rule> = z.lazy(() =>
  z.union([z.object({ field: z.string() }), z.object({ all: z.array(rule) })]),
);

describe('hoistDefinitions', () => {
  it('moves zod definitions to components and points every reference at them', () => {
    const converted = z.toJSONSchema(z.object({ rule, other: rule }), { target: 'openapi-3.0' }) as Record<
      string,
      unknown
    >;
    const hoisted = hoistDefinitions('Campaign', converted);
    const text = JSON.stringify(hoisted);
    expect(text).not.toContain('#/definitions/');
    expect(Object.keys(hoisted)).toEqual(['Campaign', 'Campaign__schema0']);
    expect(text).toContain('"$ref":"#/components/schemas/Campaign__schema0"');
    expect(hoisted.Campaign).not.toHaveProperty('definitions');
  });

  it('keeps a schema without definitions as it is, and ids given with meta', () => {
    expect(hoistDefinitions('Plain', { type: 'string' })).toEqual({ Plain: { type: 'string' } });
    const named = z.string().meta({ id: 'CustomerId' });
    const converted = z.toJSONSchema(z.object({ a: named, b: named }), { target: 'openapi-3.0' });
    const hoisted = hoistDefinitions('Pair', converted as Record<string, unknown>);
    expect(hoisted.CustomerId).toEqual(expect.objectContaining({ type: 'string' }));
    expect(JSON.stringify(hoisted.Pair)).toContain('#/components/schemas/CustomerId');
  });
});
