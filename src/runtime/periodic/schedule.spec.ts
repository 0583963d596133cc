import { aligned, cron, fixedDelay, fixedRate, type Schedule } from './schedule.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test date ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();

/** The ticks in `(from, to]`, by walking nextAfter (anchor passed through). */
function ticks(schedule: Schedule, from: number, to: number, anchor = 0): string[] {
  const out: string[] = [];
  for (let t = schedule.nextAfter(from, anchor); t <= to; t = schedule.nextAfter(t, anchor)) {
    out.push(iso(t));
    if (out.length > 10_000) throw new Error('runaway schedule');
  }
  return out;
}

/** Wall-clock `HH:mm` of an instant in a time zone. */
function local(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(ms);
}

/** An arbitrary, unaligned start. */
const START = at('2026-03-05T10:17:42.123Z');

describe('fixedRate', () => {
  it('counts ticks from the anchor, not from rounded wall-clock time', () => {
    const s = fixedRate(1000);
    expect(s.nextAfter(1234, 1234)).toBe(2234);
    expect(s.nextAfter(2234, 1234)).toBe(3234);
    expect(s.nextAfter(1500, 1234)).toBe(2234);
    expect(s.nextAfter(5000, 1234)).toBe(5234);
    expect(ticks(s, 1234, 5234, 1234)).toEqual([2234, 3234, 4234, 5234].map(iso));
  });

  it('keeps the grid of an unaligned real start', () => {
    const s = fixedRate(10 * MINUTE);
    expect(iso(s.nextAfter(START, START))).toBe('2026-03-05T10:27:42.123Z');
    // Later (e.g. re-armed after a restart), still on the original grid.
    expect(iso(s.nextAfter(at('2026-03-05T13:00:00Z'), START))).toBe('2026-03-05T13:07:42.123Z');
  });

  it('gives the next grid point, strictly after a time exactly on one', () => {
    const s = fixedRate(1000);
    expect(s.nextAfter(3234, 1234)).toBe(4234);
    expect(s.nextAfter(3233, 1234)).toBe(3234);
    expect(s.nextAfter(3233.5, 1234)).toBe(3234);
    expect(s.nextAfter(3234.5, 1234)).toBe(4234);
  });

  it('counts grid points in (from, to]', () => {
    const s = fixedRate(1000);
    const anchor = 1234;
    expect(s.countBetween(2234, 5234, anchor, 100)).toBe(3); // 3234, 4234, 5234
    expect(s.countBetween(2233, 5234, anchor, 100)).toBe(4); // 2234 too
    expect(s.countBetween(2234, 5233, anchor, 100)).toBe(2); // not 5234
    expect(s.countBetween(2500, 3000, anchor, 100)).toBe(0); // between two points
    expect(s.countBetween(3234, 3234, anchor, 100)).toBe(0);
    expect(s.countBetween(5000, 2000, anchor, 100)).toBe(0);
  });

  it('counts at most `limit` ticks', () => {
    // Regression: the grid modes ignored the limit, so a long stall of a fast job with catch-up
    // enqueued every missed tick (here a billion).
    const s = fixedRate(1);
    expect(s.countBetween(0, 1e9, 0, 100_000)).toBe(100_000);
    expect(s.countBetween(0, 10, 0, 100_000)).toBe(10);
    expect(fixedRate(1000).countBetween(0, 5000, 0, 0)).toBe(0);
  });

  it('exposes its mode and period', () => {
    const s = fixedRate(10 * MINUTE);
    expect([s.mode, s.periodMs]).toEqual(['fixed-rate', 10 * MINUTE]);
  });
});

describe('aligned', () => {
  it('ticks on UTC wall-clock multiples of the period, whatever the start', () => {
    expect(iso(aligned(HOUR).nextAfter(START, START))).toBe('2026-03-05T11:00:00.000Z');
    expect(iso(aligned(10 * MINUTE).nextAfter(START, START))).toBe('2026-03-05T10:20:00.000Z');
    expect(iso(aligned(DAY).nextAfter(START, START))).toBe('2026-03-06T00:00:00.000Z');
    expect(iso(aligned(15 * SECOND).nextAfter(START, START))).toBe('2026-03-05T10:17:45.000Z');
    expect(ticks(aligned(10 * MINUTE), START, at('2026-03-05T10:45:00Z'))).toEqual([
      '2026-03-05T10:20:00.000Z',
      '2026-03-05T10:30:00.000Z',
      '2026-03-05T10:40:00.000Z',
    ]);
  });

  it('ignores the anchor', () => {
    const s = aligned(HOUR);
    expect(s.nextAfter(START, 0)).toBe(s.nextAfter(START, START));
    expect(s.nextAfter(START, 1234)).toBe(at('2026-03-05T11:00:00Z'));
  });

  it('gives the next point, strictly after a time exactly on one', () => {
    expect(iso(aligned(HOUR).nextAfter(at('2026-03-05T11:00:00Z'), 0))).toBe('2026-03-05T12:00:00.000Z');
    expect(iso(aligned(HOUR).nextAfter(at('2026-03-05T10:59:59.999Z'), 0))).toBe('2026-03-05T11:00:00.000Z');
  });

  it('shifts the grid by the offset', () => {
    const s = aligned(HOUR, 5 * MINUTE);
    expect(iso(s.nextAfter(at('2026-03-05T10:01:00Z'), 0))).toBe('2026-03-05T10:05:00.000Z');
    expect(iso(s.nextAfter(at('2026-03-05T10:05:00Z'), 0))).toBe('2026-03-05T11:05:00.000Z');
    expect(iso(s.nextAfter(START, START))).toBe('2026-03-05T11:05:00.000Z');
    expect(aligned(HOUR, 0).nextAfter(START, START)).toBe(aligned(HOUR).nextAfter(START, START));
  });

  it.each([-1, HOUR, HOUR + 1, NaN, Infinity])(
    'rejects the offset %p (negative or not shorter than the period)',
    (offset) => {
      expect(() => aligned(HOUR, offset)).toThrow(RangeError);
      expect(() => aligned(HOUR, offset)).toThrow(
        `offset must be >= 0 and shorter than the period (3600000 ms), got ${offset}`,
      );
    },
  );

  it('counts grid points in (from, to], at most `limit`', () => {
    const s = aligned(10 * MINUTE);
    // 10:20, 10:30, 10:40, 10:50, 11:00
    expect(s.countBetween(START, at('2026-03-05T11:00:00Z'), 0, 100)).toBe(5);
    expect(s.countBetween(at('2026-03-05T10:20:00Z'), at('2026-03-05T10:59:59Z'), 0, 100)).toBe(3);
    expect(s.countBetween(START, at('2026-03-05T10:19:59Z'), 0, 100)).toBe(0);
    expect(s.countBetween(START, START, 0, 100)).toBe(0);
    expect(s.countBetween(START, at('2026-03-05T11:00:00Z'), 0, 2)).toBe(2);
    const offset = aligned(HOUR, 5 * MINUTE);
    // 11:05, 12:05, 13:05
    expect(offset.countBetween(START, at('2026-03-05T13:30:00Z'), 0, 100)).toBe(3);
    expect(aligned(1).countBetween(0, 1e9, 0, 100_000)).toBe(100_000);
  });

  it('exposes its mode and period', () => {
    const s = aligned(HOUR, 5 * MINUTE);
    expect([s.mode, s.periodMs]).toEqual(['aligned', HOUR]);
  });
});

describe('fixedDelay', () => {
  it('ticks one period after the end of the previous run, whatever the anchor', () => {
    const s = fixedDelay(10 * SECOND);
    expect(s.nextAfter(START, 0)).toBe(START + 10 * SECOND);
    expect(s.nextAfter(START, START)).toBe(START + 10 * SECOND);
    expect(s.nextAfter(1234, 1000)).toBe(11_234);
  });

  it('never counts missed ticks', () => {
    const s = fixedDelay(SECOND);
    expect(s.countBetween(0, DAY, 0, 100_000)).toBe(0);
    expect(s.countBetween(START, START + 10 * SECOND, START, 100)).toBe(0);
  });

  it('exposes its mode and period', () => {
    const s = fixedDelay(1500);
    expect([s.mode, s.periodMs]).toEqual(['fixed-delay', 1500]);
  });
});

describe('period validation', () => {
  const factories: [string, (period: number) => Schedule][] = [
    ['fixedRate', fixedRate],
    ['fixedDelay', fixedDelay],
    ['aligned', (period) => aligned(period)],
  ];
  const bad = [0, -0, -1, -1000, NaN, Infinity, -Infinity];

  for (const [name, make] of factories) {
    it.each(bad)(`${name} rejects the period %p`, (period) => {
      expect(() => make(period)).toThrow(RangeError);
      expect(() => make(period)).toThrow(`the period must be > 0 ms, got ${period}`);
    });
  }
});

describe('cron', () => {
  it("ticks on the expression's matches from an arbitrary time", () => {
    const s = cron('*/10 * * * *', 'UTC');
    expect(ticks(s, START, at('2026-03-05T10:45:00Z'))).toEqual([
      '2026-03-05T10:20:00.000Z',
      '2026-03-05T10:30:00.000Z',
      '2026-03-05T10:40:00.000Z',
    ]);
  });

  it('gives the next match, strictly after a time exactly on one', () => {
    const s = cron('*/10 * * * *', 'UTC');
    expect(iso(s.nextAfter(at('2026-03-05T10:20:00.000Z'), 0))).toBe('2026-03-05T10:30:00.000Z');
    expect(iso(s.nextAfter(at('2026-03-05T10:19:59.999Z'), 0))).toBe('2026-03-05T10:20:00.000Z');
    expect(iso(s.nextAfter(at('2026-03-05T10:20:00.001Z'), 0))).toBe('2026-03-05T10:30:00.000Z');
  });

  it('reads the 6-field form with seconds', () => {
    const s = cron('*/15 * * * * *', 'UTC');
    expect(ticks(s, START, at('2026-03-05T10:18:20Z'))).toEqual([
      '2026-03-05T10:17:45.000Z',
      '2026-03-05T10:18:00.000Z',
      '2026-03-05T10:18:15.000Z',
    ]);
    expect(iso(s.nextAfter(at('2026-03-05T10:17:45.000Z'), 0))).toBe('2026-03-05T10:18:00.000Z');
  });

  it('ignores the anchor', () => {
    const s = cron('*/10 * * * *', 'UTC');
    expect(s.nextAfter(START, 0)).toBe(s.nextAfter(START, START - 7777));
  });

  it('counts matches in (from, to], at most `limit`', () => {
    const s = cron('*/10 * * * *', 'UTC');
    // 10:20, 10:30, 10:40, 10:50, 11:00
    expect(s.countBetween(START, at('2026-03-05T11:00:00Z'), 0, 100)).toBe(5);
    expect(s.countBetween(at('2026-03-05T10:20:00Z'), at('2026-03-05T10:59:59Z'), 0, 100)).toBe(3);
    expect(s.countBetween(START, at('2026-03-05T11:00:00Z'), 0, 2)).toBe(2);
    expect(s.countBetween(START, START, 0, 100)).toBe(0);
    expect(s.countBetween(START, START - HOUR, 0, 100)).toBe(0);
  });

  it('has no period', () => {
    const s = cron('0 * * * *', 'UTC');
    expect([s.mode, s.periodMs]).toEqual(['cron', undefined]);
  });

  it('matches in the given time zone', () => {
    const from = at('2026-03-05T00:00:00Z');
    expect(iso(cron('0 12 * * *', 'UTC').nextAfter(from, 0))).toBe('2026-03-05T12:00:00.000Z');
    expect(iso(cron('0 12 * * *', 'Europe/Prague').nextAfter(from, 0))).toBe('2026-03-05T11:00:00.000Z'); // CET
    expect(iso(cron('0 12 * * *', 'America/New_York').nextAfter(from, 0))).toBe('2026-03-05T17:00:00.000Z'); // EST
    expect(iso(cron('0 12 * * *', 'Asia/Kolkata').nextAfter(from, 0))).toBe('2026-03-05T06:30:00.000Z'); // +05:30
  });

  it("uses the process's time zone when none is given", () => {
    // Asserted in whatever zone the machine runs: the tick is at local noon, as in an explicit zone
    // that is the process's own.
    const processZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    const noTz = cron('0 12 * * *');
    const explicit = cron('0 12 * * *', processZone);
    for (const from of [START, at('2026-07-15T03:00:00Z'), at('2026-12-31T23:30:00Z')]) {
      const next = noTz.nextAfter(from, 0);
      expect(next).toBe(explicit.nextAfter(from, 0));
      expect(next).toBeGreaterThan(from);
      expect(next - from).toBeLessThanOrEqual(DAY + HOUR);
      expect([new Date(next).getHours(), new Date(next).getMinutes()]).toEqual([12, 0]);
    }
  });

  describe('Europe/Prague, spring forward 2026-03-29 (02:00 CET → 03:00 CEST)', () => {
    const zone = 'Europe/Prague';
    // The local day 2026-03-29 is 23 hours long: 2026-03-28T23:00Z .. 2026-03-29T22:00Z.
    const dayStart = at('2026-03-28T23:00:00Z');
    const dayEnd = at('2026-03-29T22:00:00Z');

    it("runs '30 2 * * *' once that day, when the gap ends (03:00 CEST = 01:00Z)", () => {
      expect(ticks(cron('30 2 * * *', zone), at('2026-03-27T12:00:00Z'), at('2026-03-30T12:00:00Z'))).toEqual(
        [
          '2026-03-28T01:30:00.000Z', // 02:30 CET
          '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
          '2026-03-30T00:30:00.000Z', // 02:30 CEST
        ],
      );
      expect(cron('30 2 * * *', zone).countBetween(dayStart - 1, dayEnd - 1, 0, 100)).toBe(1);
    });

    it("skips the non-existent hour for '*/30 * * * *'", () => {
      const s = cron('*/30 * * * *', zone);
      const night = ticks(s, at('2026-03-29T00:00:00Z') - 1, at('2026-03-29T02:00:00Z'));
      expect(night).toEqual([
        '2026-03-29T00:00:00.000Z',
        '2026-03-29T00:30:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-29T01:30:00.000Z',
        '2026-03-29T02:00:00.000Z',
      ]);
      expect(night.map((t) => local(at(t), zone))).toEqual(['01:00', '01:30', '03:00', '03:30', '04:00']);
      expect(s.countBetween(dayStart - 1, dayEnd - 1, 0, 1000)).toBe(46); // 23 hours
    });

    it("runs '0 * * * *' at every real hour: 23 times that day", () => {
      const day = ticks(cron('0 * * * *', zone), dayStart - 1, dayEnd - 1);
      expect(day).toHaveLength(23);
      expect(day[0]).toBe('2026-03-28T23:00:00.000Z');
      expect(day.at(-1)).toBe('2026-03-29T21:00:00.000Z');
      expect(day.map((t) => local(at(t), zone).slice(0, 2))).not.toContain('02');
      for (let i = 1; i < day.length; i++) expect(at(day[i] as string) - at(day[i - 1] as string)).toBe(HOUR);
    });
  });

  describe('Europe/Prague, fall back 2026-10-25 (03:00 CEST → 02:00 CET)', () => {
    const zone = 'Europe/Prague';
    // The local day 2026-10-25 is 25 hours long: 2026-10-24T22:00Z .. 2026-10-25T23:00Z.
    const dayStart = at('2026-10-24T22:00:00Z');
    const dayEnd = at('2026-10-25T23:00:00Z');

    it("runs '30 2 * * *' once, not twice (at the first 02:30, CEST)", () => {
      expect(ticks(cron('30 2 * * *', zone), at('2026-10-23T12:00:00Z'), at('2026-10-26T12:00:00Z'))).toEqual(
        [
          '2026-10-24T00:30:00.000Z', // 02:30 CEST
          '2026-10-25T00:30:00.000Z', // first 02:30 (CEST); the second (01:30Z, CET) is not run
          '2026-10-26T01:30:00.000Z', // 02:30 CET
        ],
      );
      expect(cron('30 2 * * *', zone).countBetween(dayStart - 1, dayEnd - 1, 0, 100)).toBe(1);
    });

    it("runs '0 * * * *' at every real hour: 25 times that day, both 02:00s", () => {
      const day = ticks(cron('0 * * * *', zone), dayStart - 1, dayEnd - 1);
      expect(day).toHaveLength(25);
      expect(day[0]).toBe('2026-10-24T22:00:00.000Z');
      expect(day.at(-1)).toBe('2026-10-25T22:00:00.000Z');
      for (let i = 1; i < day.length; i++) expect(at(day[i] as string) - at(day[i - 1] as string)).toBe(HOUR);
      expect(day).toEqual(expect.arrayContaining(['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z']));
      expect(day.map((t) => local(at(t), zone)).filter((hm) => hm === '02:00')).toHaveLength(2);
      expect(cron('0 * * * *', zone).countBetween(dayStart - 1, dayEnd - 1, 0, 1000)).toBe(25);
    });

    it("runs '*/30 * * * *' through both copies of the repeated hour", () => {
      const s = cron('*/30 * * * *', zone);
      const night = ticks(s, at('2026-10-25T00:00:00Z') - 1, at('2026-10-25T02:00:00Z'));
      expect(night).toEqual([
        '2026-10-25T00:00:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-25T01:00:00.000Z',
        '2026-10-25T01:30:00.000Z',
        '2026-10-25T02:00:00.000Z',
      ]);
      expect(night.map((t) => local(at(t), zone))).toEqual(['02:00', '02:30', '02:00', '02:30', '03:00']);
      expect(s.countBetween(dayStart - 1, dayEnd - 1, 0, 1000)).toBe(50);
    });
  });

  describe('America/New_York', () => {
    const zone = 'America/New_York';

    it("spring forward 2026-03-08: '30 2 * * *' runs once, at 03:00 EDT; 23 hourly runs", () => {
      expect(ticks(cron('30 2 * * *', zone), at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'))).toEqual(
        [
          '2026-03-07T07:30:00.000Z', // 02:30 EST
          '2026-03-08T07:00:00.000Z', // 03:00 EDT
          '2026-03-09T06:30:00.000Z', // 02:30 EDT
        ],
      );
      // Local day 2026-03-08: 05:00Z .. 2026-03-09T04:00Z.
      expect(
        cron('0 * * * *', zone).countBetween(
          at('2026-03-08T05:00:00Z') - 1,
          at('2026-03-09T04:00:00Z') - 1,
          0,
          100,
        ),
      ).toBe(23);
    });

    it("fall back 2026-11-01: '30 1 * * *' runs once, at the first 01:30 (EDT); 25 hourly runs", () => {
      expect(ticks(cron('30 1 * * *', zone), at('2026-10-31T00:00:00Z'), at('2026-11-03T00:00:00Z'))).toEqual(
        [
          '2026-10-31T05:30:00.000Z', // 01:30 EDT
          '2026-11-01T05:30:00.000Z', // first 01:30 (EDT) only
          '2026-11-02T06:30:00.000Z', // 01:30 EST
        ],
      );
      // Local day 2026-11-01: 04:00Z .. 2026-11-02T05:00Z.
      expect(
        cron('0 * * * *', zone).countBetween(
          at('2026-11-01T04:00:00Z') - 1,
          at('2026-11-02T05:00:00Z') - 1,
          0,
          100,
        ),
      ).toBe(25);
    });
  });

  it('agrees between nextAfter and countBetween', () => {
    const cases: [Schedule, string, string][] = [
      [cron('*/7 * * * *', 'Europe/Prague'), '2026-03-28T20:00:00Z', '2026-03-29T05:00:00Z'],
      [cron('15 */2 * * *', 'Europe/Prague'), '2026-10-24T12:00:00Z', '2026-10-26T00:00:00Z'],
      [aligned(7 * MINUTE, 3 * MINUTE), '2026-03-05T10:17:42.123Z', '2026-03-05T14:00:00Z'],
      [fixedRate(7 * MINUTE), '2026-03-05T10:17:42.123Z', '2026-03-05T14:00:00Z'],
    ];
    for (const [s, from, to] of cases) {
      expect(s.countBetween(at(from), at(to), START, 10_000)).toBe(ticks(s, at(from), at(to), START).length);
    }
  });

  describe('bad input', () => {
    it.each(['61 * * * *', '* 24 * * *', 'not cron', '', '* * * *', '* * * * * * * *'])(
      'rejects the expression %p with a RangeError naming it',
      (expression) => {
        expect(() => cron(expression)).toThrow(RangeError);
        expect(() => cron(expression)).toThrow(`invalid cron expression '${expression}'`);
      },
    );

    it("says which field is wrong ('61 * * * *': minute)", () => {
      expect(() => cron('61 * * * *', 'UTC')).toThrow(/minute/);
    });

    it('rejects an expression that never fires', () => {
      expect(() => cron('0 0 30 2 *', 'UTC')).toThrow(RangeError);
      expect(() => cron('0 0 30 2 *', 'UTC')).toThrow(/'0 0 30 2 \*'.*never fires/);
    });

    it.each(['Mars/Olympus', '', 'Europe/Nowhere', 'UTC+2'])('rejects the time zone %p', (zone) => {
      expect(() => cron('0 * * * *', zone)).toThrow(RangeError);
      expect(() => cron('0 * * * *', zone)).toThrow(`unknown time zone '${zone}'`);
      expect(() => cron('0 * * * *', zone)).toThrow(/IANA/);
    });
  });
});

describe('describe()', () => {
  it.each<[string, () => Schedule]>([
    ['every 10m, fixed rate', () => fixedRate(10 * MINUTE)],
    ['every 1s500ms, fixed rate', () => fixedRate(1500)],
    ['every 1h, aligned', () => aligned(HOUR)],
    ['every 1h, aligned +5m', () => aligned(HOUR, 5 * MINUTE)],
    ['every 1d, aligned +1h30m', () => aligned(DAY, 90 * MINUTE)],
    ['every 1h30m, fixed delay', () => fixedDelay(90 * MINUTE)],
    ["cron '*/10 * * * *'", () => cron('*/10 * * * *')],
    ["cron '0 * * * *' (Europe/Prague)", () => cron('0 * * * *', 'Europe/Prague')],
    ["cron '*/15 * * * * *' (UTC)", () => cron('*/15 * * * * *', 'UTC')],
  ])('%s', (text, make) => {
    expect(make().describe()).toBe(text);
  });
});
