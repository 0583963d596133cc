/**
 * A length of time: a number of milliseconds, or a string of one or more `<number><unit>` parts with
 * units `ms`, `s`, `m`, `h`, `d` — `'500ms'`, `'10s'`, `'1.5h'`, `'1h30m'`.
 */
export type Duration = number | string;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Reads a {@link Duration} into milliseconds. Throws a RangeError that names `what` and the value for
 * anything else (negative, not finite, unknown unit, empty).
 *
 * @example parseDuration('1h30m', 'every') // 5_400_000
 */
export function parseDuration(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new RangeError(`${what} must be a number of ms >= 0 or a string like '10m', got ${value}`);
  }
  if (typeof value === 'string') {
    const text = value.trim();
    if (WHOLE.test(text)) {
      let ms = 0;
      for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * (UNIT_MS[unit] as number);
      return Math.round(ms);
    }
  }
  throw new RangeError(
    `${what} must be a number of ms or a string like '500ms', '10s', '10m', '2h', '1d' or '1h30m', got ${show(value)}`,
  );
}

/** The value for an error message; JSON.stringify throws on a bigint or a circular object. */
function show(value: unknown): string {
  try {
    return `${JSON.stringify(value)}`;
  } catch {
    return String(value);
  }
}

/** Formats milliseconds the way {@link parseDuration} reads them (`5400000` → `'1h30m'`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0ms';
  let left = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit] as number;
    const n = unit === 'ms' ? left : Math.floor(left / size);
    if (n > 0) {
      out += `${n}${unit}`;
      left -= n * size;
    }
  }
  return out;
}
