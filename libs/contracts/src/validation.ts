import type { z } from 'zod';

/** One field-level problem, with a JSON path such as `events.3.items.0.unitPrice`. */
export interface FieldError {
  path: string;
  message: string;
}

export function fieldErrors(error: z.ZodError, prefix: (string | number)[] = []): FieldError[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: (string | number)[] = [],
): Validated<z.output<S>> {
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}
