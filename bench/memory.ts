/** Garbage collection for the heap figures (the bench runs with `--expose-gc`; without it, a no-op). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Heap in use after two full collections (the second collects what the first one's finalizers freed). */
export function heap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
