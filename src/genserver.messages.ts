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
  `${className} has @${decorator}() on both ${first}() and ${second}(); a GenServer may have only one.`;

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
  `@GenServer() options of ${server} are invalid: ${detail}`;

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
