import { GenServerError } from './genserver.error.js';

/** A DynamicSupervisor already runs `maxChildren` children and refused to start another. */
export class MaxChildrenError extends GenServerError {
  readonly code = 'MAX_CHILDREN' as const;

  constructor(
    readonly supervisor: string,
    readonly maxChildren: number,
  ) {
    super(
      `${supervisor} already runs its maximum of ${maxChildren} children; the new child was not started. ` +
        `Terminate idle children (or set an idleTimeout), or raise maxChildren.`,
    );
  }
}
