import { Injectable } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { type GenServerSnapshot, GenServerRuntime } from './genserver.runtime.js';
import type { LifecycleEvent } from './runtime/lifecycle-event.js';

/**
 * The live supervision tree, for health endpoints, dashboards and alerts.
 *
 * @example
 * tree.events$.pipe(filter((e) => e.type === 'gave_up')).subscribe((e) => pager.alert(e.name));
 */
@Injectable()
export class SupervisionTree {
  constructor(private readonly runtime: GenServerRuntime) {}

  /**
   * Every supervisor and server as plain JSON: status, restarts, last crash, mailbox length, messages
   * handled and uptime of each (dynamic supervisors list their first 100 children and a count).
   */
  snapshot(): GenServerSnapshot {
    return this.runtime.snapshot();
  }

  /** False once the root supervisor gave up. */
  get healthy(): boolean {
    return this.runtime.healthy;
  }

  /**
   * Every lifecycle event: started, crashed, restarted, gave_up, stopped, mailbox_full. Hot: no replay
   * of the past.
   */
  get events$(): Observable<LifecycleEvent> {
    return this.runtime.events$;
  }
}
