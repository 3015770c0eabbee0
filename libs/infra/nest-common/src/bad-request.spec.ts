import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { validOrBadRequest } from './bad-request';

describe('validOrBadRequest', () => {
  const schema = z.object({ limit: z.coerce.number().int().min(1) }).strict();

  it('returns the parsed value', () => {
    expect(validOrBadRequest(schema, { limit: '3' }, 'query')).toEqual({ limit: 3 });
  });

  it('throws one 400 shape naming each bad field', () => {
    let thrown: unknown;
    try {
      validOrBadRequest(schema, { limit: '0', extra: 1 }, 'query');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BadRequestException);
    const body = (thrown as BadRequestException).getResponse() as { message: string; errors: { path: string }[] };
    expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'invalid query' });
    expect(body.errors.map((error) => error.path).sort()).toEqual(['(root)', 'limit']);
  });
});
