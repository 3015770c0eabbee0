/**
 * What the console's charts and forms compute from the APIs' answers: pure functions, unit-tested beside the page.
 */

/** A row of a model's validation deciles (1 = the tenth with the highest predictions). */
export interface DecileRow {
  decile: number;
  customers: number;
  meanPredicted: number;
  meanActual: number;
}

/** A point of a gain chart: the top `share` of customers by prediction hold `captured` of the actual spend. */
export interface GainPoint {
  share: number;
  model: number;
  random: number;
}

/** The cumulative gain curve from deciles: (0, 0), one point per decile, ending at (1, 1) when spend is positive. */
export function gainCurve(deciles: readonly DecileRow[]): GainPoint[] {
  const rows = [...deciles].sort((a, b) => a.decile - b.decile);
  const customers = rows.reduce((sum, row) => sum + row.customers, 0);
  const spend = rows.reduce((sum, row) => sum + row.customers * row.meanActual, 0);
  const points: GainPoint[] = [{ share: 0, model: 0, random: 0 }];
  let seen = 0;
  let captured = 0;
  for (const row of rows) {
    seen += row.customers;
    captured += row.customers * row.meanActual;
    const share = customers > 0 ? seen / customers : 0;
    points.push({ share, model: spend > 0 ? captured / spend : 0, random: share });
  }
  return points;
}

/** Predicted against actual mean spend per decile, best decile first (a calibrated model's bars match). */
export function calibrationRows(
  deciles: readonly DecileRow[],
): { decile: string; predicted: number; actual: number }[] {
  return [...deciles]
    .sort((a, b) => a.decile - b.decile)
    .map((row) => ({ decile: `D${row.decile}`, predicted: row.meanPredicted, actual: row.meanActual }));
}

/** A field error of a 400 answer (`{ errors: [{ path, message }] }`). */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * Field errors by the form field they belong to (the first segment of their path: `audience.all.0.op` is the
 * audience's); those of no listed field under `''`, shown above the form.
 */
export function errorsByField(errors: readonly FieldError[], fields: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const head = error.path.split('.')[0];
    const field = fields.includes(head) ? head : '';
    const rest = field && error.path !== head ? `${error.path.slice(head.length + 1)}: ` : '';
    const text = field ? `${rest}${error.message}` : `${error.path}: ${error.message}`;
    (out[field] ??= []).push(text);
  }
  return out;
}

/**
 * A form's number field as the API should see it: a number when the text is one, the text itself otherwise (the API
 * then says at that field what is wrong), left out when empty.
 */
export function numberOrText(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** Fields whose value differs from the original's (what a PATCH sends). */
export function changedFields(
  original: Record<string, unknown>,
  edited: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(edited)) {
    if (JSON.stringify(value) !== JSON.stringify(original[name])) out[name] = value;
  }
  return out;
}

/** Money with two decimals and thousands separators; `—` for null. */
export function money(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** A share as a percentage with one decimal. */
export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(1)}%`;
}

/** How long ago an instant was, in the largest whole unit (`12 s ago`, `3 min ago`, `5 h ago`, `2 d ago`). */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}
