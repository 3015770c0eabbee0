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

/**
 * The deepest nesting any message or request body may have. Validators (and JSON tools) recurse per level: a body of
 * a few kilobytes nested thousands deep would overflow the stack, a server error instead of a clear 400.
 */
export const MAX_JSON_DEPTH = 32;

/** The path of the first value nested deeper than `max`, or null; iterative, so any depth is safe to check. */
export function tooDeep(input: unknown, max = MAX_JSON_DEPTH): (string | number)[] | null {
  type Node = { value: unknown; depth: number; key?: string | number; parent?: Node };
  const stack: Node[] = [{ value: input, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const { value, depth } = node;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= max) {
      const path: (string | number)[] = [];
      for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) path.unshift(at.key);
      return path;
    }
    const array = Array.isArray(value);
    for (const key in value) {
      const inner = (value as Record<string, unknown>)[key];
      if (inner !== null && typeof inner === 'object') {
        stack.push({ value: inner, depth: depth + 1, key: array ? Number(key) : key, parent: node });
      }
    }
  }
  return null;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function validate<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix: (string | number)[] = [],
): Validated<z.output<S>> {
  const deep = tooDeep(input);
  if (deep) {
    return {
      ok: false,
      errors: [
        { path: [...prefix, ...deep].map(String).join('.'), message: `nested more than ${MAX_JSON_DEPTH} levels deep` },
      ],
    };
  }
  const result = schema.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error, prefix) };
}
