import { Supervised } from 'nestjs-genserver';

/**
 * A supervisor: it starts its children in list order, restarts the ones that
 * exit as its strategy says, and stops them in reverse order. Too many restarts
 * within `withinMs` and it gives up; its own supervisor then restarts it.
 * List GenServer classes and other `@Supervised` classes in `children`; each
 * must also be a provider of a module.
 */
@Supervised({
  strategy: 'one_for_one',
  maxRestarts: 3,
  withinMs: 5000,
  children: [],
})
export class BillingSupervisor {}
