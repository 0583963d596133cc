/** Factories for the bootstrap error messages: each names the class (and method) and says what to do. */

export const notAServer = (className: string, where: string): string =>
  `${className} is not a GenServer, but ${where}. Decorate the class with @GenServer().`;

export const handlerOutsideServer = (className: string, method: string, decorator: string): string =>
  `${className}.${method}() has @${decorator}() but ${className} is not decorated with @GenServer(). ` +
  `Add @GenServer() to the class, or remove the decorator.`;

export const duplicateMessage = (
  className: string,
  kind: string,
  name: string,
  first: string,
  second: string,
) =>
  `${className} has two ${kind} handlers for the message '${name}': ${first}() and ${second}(). ` +
  `Message names must be unique per kind; pass another name to @Handle${kind === 'call' ? 'Call' : 'Cast'}('...').`;

export const duplicateLifecycle = (className: string, decorator: string, first: string, second: string) =>
  `${className} has @${decorator}() on both ${first}() and ${second}(); a GenServer may have only one. ` +
  `Keep it on one method and call the other from there.`;

export const emptyMessageName = (className: string, method: string, decorator: string) =>
  `${className}.${method}() has @${decorator}('') with an empty message name; omit the argument to use the method name.`;

export const scopedServer = (className: string, scope: string): string =>
  `${className} is a GenServer but is ${scope}. A GenServer is one long-lived process, so it must be a ` +
  `singleton: remove the scope (and any request-scoped dependency) and pass per-request data in messages.`;

export const directInjection = (consumer: string, server: string, where: string): string =>
  `${consumer} injects the GenServer ${server} directly (${where}), which would bypass its mailbox. ` +
  `Inject its ref instead: @InjectServer(${server}) ${lowerFirst(server)}: ServerRef<${server}>, and import ` +
  `GenServerModule.forFeature([${server}]) in ${consumer}'s module.`;

export const providedTwice = (server: string, modules: string[]): string =>
  `The GenServer ${server} is provided by more than one module (${modules.join(', ')}). A GenServer is a ` +
  `single process: provide it in one module and import GenServerModule.forFeature([${server}]) where it is used.`;

export const refWithoutProvider = (server: string): string =>
  `ServerRef<${server}> is injected, but no module provides ${server}. Add ${server} to the providers of ` +
  `the module that owns it (GenServerModule.forFeature only makes its ref injectable).`;

export const badServerOption = (server: string, detail: string): string =>
  `@GenServer() options of ${server} are invalid: ${detail}. Fix it in @GenServer({ ... }) on ${server}, or ` +
  `omit the option to use its default.`;

export const badModuleOption = (detail: string): string =>
  `GenServerModule.forRoot() options are invalid: ${detail}. Fix it where you call forRoot() (or in what ` +
  `forRootAsync()'s factory returns), or omit the option to use its default.`;

export const badDynamicOption = (server: string, detail: string): string =>
  `GenServerModule.forDynamic(${server}) options are invalid: ${detail}. Fix it where you call forDynamic() ` +
  `(or in what forDynamicAsync()'s factory returns).`;

export const badMessageName = (className: string, method: string, decorator: string, shown: string) =>
  `${className}.${method}() has @${decorator}(${shown}): a message name must be a non-empty string. Pass ` +
  `one, or omit the argument to use the method name.`;

export const misplacedDecorator = (className: string, property: string, decorator: string, what: string) =>
  `${className}.${property} has @${decorator}() but is ${what}; the decorator only works on an instance ` +
  `method (handlers run on the server's instance, found on its prototype). Make ${property} a plain method: ` +
  `${property}(...) { ... }.`;

export const selfOutsideServer = (className: string, property: string, what: string): string =>
  `${className}.${property} has @InjectSelf() but ${className} is ${what}, so nothing would ever set it. ` +
  `Use @InjectSelf() in a @GenServer() class only; elsewhere inject the server's ref with @InjectServer().`;

export const notAServerToken = (decorator: string, shown: string): string =>
  shown === 'undefined'
    ? `@${decorator}() got undefined instead of a GenServer class. This usually comes from a circular ` +
      `import: the class was not defined yet when the injecting class was. Break the import cycle (e.g. move ` +
      `the class to a file of its own).`
    : `@${decorator}(${shown}): ${shown} is not a GenServer. Decorate it with @GenServer(), or inject it ` +
      `as a plain provider if it is not meant to be one.`;

export const duplicateName = (name: string, classes: readonly string[]): string =>
  `${classes.join(' and ')} both go by the name '${name}' in this application, so snapshots, lifecycle ` +
  `events, whereis('${name}') and periodic job names could not tell them apart. Give one of them another ` +
  `name with @GenServer({ name }) or @Supervised({ name }).`;

export const scopedSupervisor = (className: string, scope: string): string =>
  `${className} is a @Supervised() class but is ${scope}. A supervisor is one long-lived node of the ` +
  `process tree, so it must be a singleton: remove the scope (and any request-scoped dependency).`;

export const supervisorProvidedTwice = (className: string, modules: string[]): string =>
  `The @Supervised() class ${className} is provided by more than one module (${modules.join(', ')}). A ` +
  `supervisor is a single node of the process tree: provide it in one module only.`;

export const serverAndSupervisor = (className: string): string =>
  `${className} has both @GenServer() and @Supervised(). A class is either a server (it handles messages) ` +
  `or a supervisor (it lists children): move the handlers to a @GenServer() class of their own and list ` +
  `it in ${className}'s children.`;

export const handlerOnSupervisor = (className: string, method: string, decorator: string): string =>
  `${className}.${method}() has @${decorator}() but ${className} is a @Supervised() class, which only ` +
  `lists children and handles no messages. Move the method to a @GenServer() class and list that class ` +
  `in ${className}'s children.`;

export const badSupervisedOption = (className: string, detail: string): string =>
  `@Supervised() options of ${className} are invalid: ${detail}.`;

export const missingChild = (supervisor: string, where: string, value: string): string =>
  `${supervisor} lists ${value} as ${where}. This usually comes from a circular import: the child's ` +
  `class was not defined yet when @Supervised() ran. Break the import cycle (e.g. move the class to a ` +
  `file of its own), or fix the import.`;

export const notAChild = (supervisor: string, where: string, value: string): string =>
  `${supervisor} lists ${value} as ${where}, but it is neither a @GenServer() nor a @Supervised() class. ` +
  `List only such classes, or { child, restart?, shutdownTimeout? } specs of them.`;

export const childNotProvided = (supervisor: string, child: string): string =>
  `${supervisor} lists ${child} as a child, but no module provides ${child}. Add ${child} to the ` +
  `providers of the module that owns it.`;

export const listedTwice = (child: string, supervisors: readonly string[]): string =>
  (new Set(supervisors).size === 1
    ? `${child} is listed ${supervisors.length} times in the children of ${supervisors[0]}. `
    : `${child} is listed as a child by more than one supervisor (${supervisors.join(', ')}). `) +
  `A process has exactly one supervisor: list it once.`;

export const supervisionCycle = (path: readonly string[]): string =>
  `The children of @Supervised() classes form a cycle: ${path.join(' > ')}. A supervisor cannot be its ` +
  `own descendant: remove one of these listings.`;

export const badRootGiveUp = (value: unknown): string =>
  `GenServerModule option rootGiveUp must be 'keep-serving' or 'shutdown', got ${typeof value === 'string' ? `'${value}'` : String(value)}.`;

export const shutdownHooksMissing = (): string =>
  `rootGiveUp is 'shutdown', but nothing listens for SIGTERM, so if the root supervisor gives up the app ` +
  `will keep serving, unhealthy. Call app.enableShutdownHooks() where you create the app.`;

export const rootGaveUpShutdown = (): string =>
  `The root supervisor gave up; rootGiveUp is 'shutdown', so the application is shutting down (SIGTERM).`;

export const rootGaveUpNoHooks = (): string =>
  `The root supervisor gave up and rootGiveUp is 'shutdown', but nothing listens for SIGTERM: the app ` +
  `keeps serving, unhealthy. Call app.enableShutdownHooks() where you create the app.`;

export const dynamicDependencyMissing = (server: string, token: string, where: string): string =>
  `${server} is started as dynamic children, but its dependency ${token} (${where}) is not provided by any ` +
  `module. Add ${token} to some module's providers, or mark it @Optional().`;

export const dynamicAlsoProvided = (server: string): string =>
  `${server} is registered with GenServerModule.forDynamic() and also listed in a module's providers. A ` +
  `dynamic GenServer is started on demand (one per key), never as a single provider: remove ${server} from ` +
  `providers (its dependencies still come from Nest DI).`;

export const dynamicTwice = (server: string): string =>
  `GenServerModule.forDynamic(${server}) is imported more than once. Import it in one module, and export ` +
  `that module where the DynamicSupervisorRef<${server}> is needed.`;

export const taskSupervisorTwice = (name: string): string =>
  name === 'tasks'
    ? `The task supervisor 'tasks' is the default one, always there: inject it with @InjectTaskSupervisor(). ` +
      `Give GenServerModule.forTaskSupervisor() another name.`
    : `GenServerModule.forTaskSupervisor('${name}') is imported more than once. Import it in one module, and ` +
      `export that module where @InjectTaskSupervisor('${name}') is used.`;

export const badTaskSupervisorOption = (name: string, detail: string): string =>
  `GenServerModule.forTaskSupervisor('${name}'): ${detail}`;

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export const badPeriodic = (className: string, method: string, detail: string): string =>
  `@Periodic() on ${className}.${method}() is invalid: ${detail}.`;

export const badOnIdle = (className: string, method: string, detail: string): string =>
  `@OnIdle() on ${className}.${method}() is invalid: ${detail}. Pass a duration such as '5m' (ms or a ` +
  `string); to have no idle timeout, remove @OnIdle().`;

export const duplicateJobName = (className: string, name: string, first: string, second: string): string =>
  `${className} has two periodic jobs named '${name}' (${first}() and ${second}()). Give one of them another ` +
  `name with @Periodic(..., { name: '...' }).`;

export const periodicFactoryFailed = (className: string, method: string, detail: string): string =>
  `@Periodic() on ${className}.${method}(): its useFactory failed: ${detail}.`;

export const badAgentName = (where: string, value: string): string =>
  `${where} needs the agent's name, a non-empty string, got ${value}.`;

export const notAnAgentToken = (where: string, value: string): string =>
  `${where} needs a token made by defineAgent(), got ${value}. If it is undefined, a circular import ` +
  `evaluated the injecting class before the token: move the defineAgent() call to a file of its own.`;

export const badAgentOptions = (name: string, detail: string): string =>
  `provideAgent(${name}) options are invalid: ${detail}.`;

export const agentTwice = (name: string): string =>
  `Two agents are named '${name}'. An agent is a single process: provide it in one module (with ` +
  `provideAgent) and export its token there (exports: [token.token]), or give the other one another name.`;

export const agentTreeNotRunning = (name: string, status: string): string =>
  status === 'idle' || status === 'starting'
    ? `GenServerRuntime.startAgent('${name}') was called before the process tree runs (it is ${status}). ` +
      `Start dynamic agents from onApplicationBootstrap() on (not from a constructor, onModuleInit() or an ` +
      `@Init), or declare the agent with provideAgent() so it starts with the tree, before the servers.`
    : `GenServerRuntime.startAgent('${name}') was called but the process tree is ${status} (the ` +
      `application is shutting down, or the root supervisor gave up).`;

export const agentNameTaken = (): string =>
  `Use GenServerRuntime.agent(name) to reach it, or stopAgent(name) first.`;

export const staticAgentTaken = (): string =>
  `It is a static agent (provideAgent): inject it with @InjectAgent(token), or pick another name.`;

export const staticAgentStop = (name: string): string =>
  `GenServerRuntime.stopAgent('${name}'): '${name}' is a static agent (provideAgent), which lives as long ` +
  `as the application; only agents started with startAgent() can be stopped.`;

export const startNotInTree = (className: string, where: string): string =>
  `${className} is not a GenServer or @Supervised class provided in this application (${where}). ` +
  'List classes that are in some module’s providers, or provide the class in the testing module.';

export const startTwice = (className: string): string =>
  `${className} is already started: start() takes classes that did not start at bootstrap ` +
  "(see the testing kit's `start` option).";

export const mockOfDynamic = (server: string): string =>
  `${server} runs as dynamic children (GenServerModule.forDynamic), which a mock cannot replace: ` +
  'mock the static servers it talks to, or override its dependencies with overrideProvider().';
