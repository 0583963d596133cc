import type { MailboxOverflow } from './server-spec.js';

/** A spec's mailbox bound, checked: `capacity` is `Infinity` for an unbounded mailbox. @internal */
export interface ResolvedBound {
  readonly capacity: number;
  readonly overflow: MailboxOverflow;
}

const UNBOUNDED: ResolvedBound = { capacity: Infinity, overflow: 'reject' };
const KEYS = new Set(['capacity', 'overflow']);

/**
 * What is wrong with a `mailbox` option, in words that say the fix; undefined when it is right (or
 * absent). The Nest layer words its bootstrap error with it.
 *
 * @internal
 */
export function mailboxBoundProblem(bound: unknown): string | undefined {
  if (bound === undefined) return undefined;
  if (typeof bound !== 'object' || bound === null || Array.isArray(bound)) {
    return `mailbox must be an object such as { capacity: 1000, overflow: 'reject' }, got ${show(bound)}`;
  }
  for (const key of Object.keys(bound)) {
    if (!KEYS.has(key)) return `mailbox has no option '${key}'; it takes capacity and overflow`;
  }
  const { capacity, overflow = 'reject' } = bound as { capacity?: unknown; overflow?: unknown };
  if (!(typeof capacity === 'number' && Number.isInteger(capacity) && capacity > 0)) {
    return (
      `mailbox.capacity must be a positive integer (how many messages may wait), got ` +
      `${show(capacity)}; leave the mailbox option out for an unbounded mailbox`
    );
  }
  if (overflow !== 'reject' && overflow !== 'drop-oldest') {
    return `mailbox.overflow must be 'reject' or 'drop-oldest', got ${show(overflow)}`;
  }
  return undefined;
}

/**
 * Checks a spec's `mailbox` option. Throws a RangeError naming the server, the bad value and the fix,
 * so a wrong bound fails when the server is defined, not when its mailbox first fills.
 *
 * @internal
 */
export function resolveMailboxBound(server: string, bound: unknown): ResolvedBound {
  const problem = mailboxBoundProblem(bound);
  if (problem !== undefined) throw new RangeError(`${server}: ${problem}`);
  if (bound === undefined) return UNBOUNDED;
  const { capacity, overflow = 'reject' } = bound as { capacity: number; overflow?: MailboxOverflow };
  return { capacity, overflow };
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
