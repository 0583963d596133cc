const settled = Promise.resolve();

/**
 * Runs `callback` in a microtask, as `queueMicrotask` does (same queue, same order) but as a reaction of
 * one settled promise: Node's `queueMicrotask` wraps every callback in a new AsyncResource and a bound
 * function, which costs more than a whole small call.
 */
export function microtask(callback: () => void): void {
  void settled.then(callback);
}
