/**
 * Smoke mode (`npm run bench:smoke`, `BENCH_SMOKE=1` or `--smoke`): every case runs, with tiny sizes and
 * tiny sample times, so a broken case fails in seconds. Its figures mean nothing: the tables say so, no
 * target is judged and nothing is written to bench/results.json.
 */
export const SMOKE = process.env.BENCH_SMOKE === '1' || process.argv.includes('--smoke');

/** `full` in a real run, `smoke` in smoke mode. */
export function size<T>(full: T, smoke: T): T {
  return SMOKE ? smoke : full;
}

/**
 * mitata `measure` options: at least `minCpuNs` of samples in a real run; a function that takes under
 * 65 µs is timed in batches of `batchSamples` calls per sample (mitata's default: 4096). Smoke mode takes a
 * few milliseconds and two samples of small batches instead.
 */
export function sampling(
  minCpuNs: number,
  minSamples = 12,
  warmupSamples = 50,
  batchSamples = 4096,
): Record<string, number> {
  return SMOKE
    ? { min_cpu_time: 2e6, min_samples: 2, warmup_samples: 1, batch_samples: 64 }
    : {
        min_cpu_time: minCpuNs,
        min_samples: minSamples,
        warmup_samples: warmupSamples,
        batch_samples: batchSamples,
      };
}

/** The "ok" cell of a target row: judged in a real run only. */
export function verdict(ok: boolean): string {
  return SMOKE ? '(smoke)' : ok ? 'yes' : 'NO';
}
