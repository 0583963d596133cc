import { formatDuration, parseDuration } from './duration.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10 * SECOND],
    ['10m', 10 * MINUTE],
    ['2h', 2 * HOUR],
    ['1d', DAY],
    ['0s', 0],
    ['0ms', 0],
  ])('reads every unit: %s', (text, ms) => {
    expect(parseDuration(text, 'every')).toBe(ms);
  });

  it.each([
    ['1h30m', HOUR + 30 * MINUTE],
    ['1d2h3m4s5ms', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND + 5],
    ['1m500ms', MINUTE + 500],
    ['1s1ms', SECOND + 1],
    ['90m', 90 * MINUTE],
  ])('adds up compound parts: %s', (text, ms) => {
    expect(parseDuration(text, 'every')).toBe(ms);
  });

  it('tells ms from m followed by s', () => {
    expect(parseDuration('1ms', 'every')).toBe(1);
    expect(parseDuration('1m1s', 'every')).toBe(MINUTE + SECOND);
  });

  it('reads decimals and rounds to whole ms', () => {
    expect(parseDuration('1.5h', 'every')).toBe(90 * MINUTE);
    expect(parseDuration('0.5s', 'every')).toBe(500);
    expect(parseDuration('2.25m', 'every')).toBe(135 * SECOND);
    expect(parseDuration('1.5ms', 'every')).toBe(2);
    expect(parseDuration('0.0004s', 'every')).toBe(0);
  });

  it('trims surrounding whitespace', () => {
    expect(parseDuration('  10s ', 'every')).toBe(10 * SECOND);
    expect(parseDuration('\t1h30m\n', 'every')).toBe(HOUR + 30 * MINUTE);
  });

  it('takes a number of ms >= 0 as it is', () => {
    expect(parseDuration(0, 'every')).toBe(0);
    expect(parseDuration(250, 'every')).toBe(250);
    expect(parseDuration(DAY * 365, 'every')).toBe(DAY * 365);
  });

  it.each([-1, -0.5, NaN, Infinity, -Infinity])(
    'rejects the number %p, naming what and the value',
    (value) => {
      expect(() => parseDuration(value, 'timeout')).toThrow(RangeError);
      expect(() => parseDuration(value, 'timeout')).toThrow(/^timeout must be a number of ms >= 0/);
      expect(() => parseDuration(value, 'timeout')).toThrow(`got ${value}`);
    },
  );

  it.each([
    '',
    '   ',
    '10',
    '10 minutes',
    '10 m',
    '1x',
    'm10',
    'ms',
    '10M',
    '-5s',
    '+5s',
    '.5s',
    '5.s',
    '1,5h',
    '5s!',
  ])('rejects the string %p, naming what and the value', (text) => {
    expect(() => parseDuration(text, 'every')).toThrow(RangeError);
    expect(() => parseDuration(text, 'every')).toThrow(
      /^every must be a number of ms or a string like '500ms'/,
    );
    expect(() => parseDuration(text, 'every')).toThrow(`got ${JSON.stringify(text)}`);
  });

  it('rejects values that are neither numbers nor strings with a RangeError', () => {
    const bad = (value: unknown): unknown => parseDuration(value as string, 'jitter');
    expect(() => bad({ ms: 10 })).toThrow(/^jitter must be .* got \{"ms":10\}$/);
    expect(() => bad(null)).toThrow(/got null$/);
    expect(() => bad(undefined)).toThrow(/got undefined$/);
    expect(() => bad(['10s'])).toThrow(/got \["10s"\]$/);
    expect(() => bad(true)).toThrow(RangeError);
  });

  it('still throws a RangeError for values JSON.stringify cannot show (bigint, circular object)', () => {
    // Regression: the message was built with JSON.stringify alone, which throws a TypeError for these.
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => parseDuration(10n as unknown as number, 'every')).toThrow(RangeError);
    expect(() => parseDuration(10n as unknown as number, 'every')).toThrow(/^every must be .* got 10$/);
    expect(() => parseDuration(circular as unknown as string, 'every')).toThrow(RangeError);
    expect(() => parseDuration(circular as unknown as string, 'every')).toThrow(/^every must be/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [500, '500ms'],
    [SECOND, '1s'],
    [10 * MINUTE, '10m'],
    [HOUR, '1h'],
    [HOUR + 30 * MINUTE, '1h30m'],
    [DAY, '1d'],
    [DAY + HOUR + MINUTE + SECOND + 1, '1d1h1m1s1ms'],
    [2 * DAY + 500, '2d500ms'],
    [90 * SECOND, '1m30s'],
  ])('formats %p as %p', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(['500ms', '10s', '1m30s', '1h30m', '1.5h', '2d', '1d2h3m4s5ms', '90m', '0s', '59m59s999ms'])(
    'round-trips parseDuration: %p',
    (text) => {
      const ms = parseDuration(text, 'every');
      expect(parseDuration(formatDuration(ms), 'every')).toBe(ms);
    },
  );

  it('round-trips numbers through parseDuration', () => {
    for (const ms of [
      0,
      1,
      999,
      1000,
      1001,
      59_999,
      3_599_999,
      86_399_999,
      86_400_001,
      7 * 86_400_000 + 123,
    ]) {
      expect(parseDuration(formatDuration(ms), 'every')).toBe(ms);
    }
  });
});
