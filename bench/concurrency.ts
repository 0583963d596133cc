/**
 * Loads with more than one caller, shared by every contender so only the messaging differs. Each returns
 * the function mitata times; its arrays are made once, so an iteration allocates what the calls themselves
 * allocate plus one promise per client.
 */

/**
 * Many clients, one server: `clients` callers at once, each making `callsEach` calls one after another,
 * awaiting each reply before the next call. One iteration is `clients × callsEach` calls.
 */
export function manyClients(
  call: () => Promise<unknown>,
  clients: number,
  callsEach: number,
): () => Promise<unknown> {
  const client = async (): Promise<void> => {
    for (let i = 0; i < callsEach; i++) await call();
  };
  const running = new Array<Promise<void>>(clients);
  return () => {
    for (let c = 0; c < clients; c++) running[c] = client();
    return Promise.all(running);
  };
}

/**
 * Many servers, one client each: one call to every server, all in flight at once, then awaited together.
 * One iteration is `servers.length` calls, each to its own server.
 */
export function oneCallEach<S>(
  servers: readonly S[],
  call: (server: S) => Promise<unknown>,
): () => Promise<unknown> {
  const replies = new Array<Promise<unknown>>(servers.length);
  return () => {
    for (let i = 0; i < servers.length; i++) replies[i] = call(servers[i]);
    return Promise.all(replies);
  };
}
