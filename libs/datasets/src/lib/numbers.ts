/**
 * Numbers as exports write them: `12.5`, `-3`, `1,234.50`, `$12.50`, `£3`, `R$ 10,00` is NOT accepted (a decimal
 * comma is ambiguous with a thousands separator, so it reads as a bad number rather than a wrong one).
 */
const SIMPLE = /^-?\d{1,15}(?:\.\d{1,15})?$/;
const PLAIN = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const THOUSANDS = /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const CURRENCY_SYMBOL = /^([-+]?)\s*(?:US\$|R\$|\$|£|€)\s*/;

/** A finite number, or undefined for an empty or malformed cell. */
export function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (SIMPLE.test(text)) return Number(text);
  let value = text.trim().replace(CURRENCY_SYMBOL, '$1');
  if (THOUSANDS.test(value)) value = value.replace(/,/g, '');
  if (!PLAIN.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A whole number (`6` or `6.0`), or undefined. */
export function parseWholeNumber(text: string | undefined): number | undefined {
  const number = parseNumber(text);
  return number !== undefined && Number.isInteger(number) ? number : undefined;
}

/** Rounds away floating-point noise (15.300000000000001) but keeps sub-cent unit prices (0.001). */
export function roundMoney(value: number): number {
  const rounded = Math.round(value * 10_000) / 10_000;
  return rounded === 0 ? 0 : rounded;
}
