import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';
import { validate, type FieldError } from '@cvp/contracts';

/** The one shape of a 400 with field errors, for every service: `{ statusCode, error, message, errors }`. */
export function fieldErrorsException(message: string, errors: FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });
}

/** The parsed value, or a 400 `invalid <what>` listing the field errors. */
export function validOrBadRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = validate(schema, value);
  if (!parsed.ok) throw fieldErrorsException(`invalid ${what}`, parsed.errors);
  return parsed.value;
}
