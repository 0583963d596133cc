import { Injectable, Scope, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { DECORATOR_NAMES, GenServerMetadataAccessor } from './genserver-metadata.accessor.js';
import {
  directInjection,
  duplicateName,
  handlerOnSupervisor,
  handlerOutsideServer,
  providedTwice,
  scopedServer,
  scopedSupervisor,
  selfOutsideServer,
  serverAndSupervisor,
  supervisorProvidedTwice,
} from './genserver.messages.js';
import type { DiscoveredServer } from './genserver.runtime.js';
import { InvalidDefinitionError } from './runtime/errors/invalid-definition.error.js';
import { checkMisplaced } from './server-definition.js';
import type { DiscoveredProcess } from './supervision-tree.js';

/**
 * Walks every provider and controller once at bootstrap and collects the GenServers and `@Supervised`
 * classes, in provider order. It only collects and validates; the runtime arranges and starts them.
 * Fails with an error naming class and method for: handler decorators outside a GenServer or on a member
 * that is not an instance method, `@InjectSelf()` outside a GenServer, a scoped or twice-provided GenServer
 * or supervisor, a class that is both, two of them going by one name, and a GenServer class injected
 * directly (which would bypass its mailbox).
 */
@Injectable()
export class GenServerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly accessor: GenServerMetadataAccessor,
    private readonly scanner: MetadataScanner,
  ) {}

  explore(): DiscoveredProcess[] {
    const found: DiscoveredProcess[] = [];
    const owners = new Map<Type<object>, string[]>();
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      this.checkInjections(wrapper);
      const metatype = classOf(wrapper);
      if (metatype === undefined) continue;
      const isServer = this.accessor.isServer(metatype);
      const options = this.accessor.getSupervisedOptions(metatype);
      if (isServer && options !== undefined) {
        throw new InvalidDefinitionError(serverAndSupervisor(metatype.name));
      }
      checkMisplaced(metatype, this.accessor);
      if (!isServer && options === undefined) {
        this.checkNoHandlers(metatype, handlerOutsideServer);
        this.checkNoSelf(metatype, 'not decorated with @GenServer()');
        continue;
      }
      if (options !== undefined) {
        this.checkNoHandlers(metatype, handlerOnSupervisor);
        this.checkNoSelf(metatype, 'a @Supervised() class');
      }
      this.checkScope(wrapper, metatype, isServer ? scopedServer : scopedSupervisor);
      const moduleName = wrapper.host?.name ?? 'unknown module';
      const seen = owners.get(metatype);
      if (seen !== undefined) {
        seen.push(moduleName);
        continue;
      }
      owners.set(metatype, [moduleName]);
      found.push(
        options === undefined
          ? { server: metatype, create: this.factoryFor(wrapper, metatype) }
          : { supervisor: metatype, options },
      );
    }
    for (const [target, modules] of owners) {
      if (modules.length > 1) {
        const message = this.accessor.isServer(target) ? providedTwice : supervisorProvidedTwice;
        throw new InvalidDefinitionError(message(target.name, modules));
      }
    }
    this.checkUniqueNames(owners);
    return found;
  }

  /** Two servers or supervisors may not go by one name (their `name` option, else the class name). */
  private checkUniqueNames(owners: ReadonlyMap<Type<object>, readonly string[]>): void {
    const byName = new Map<string, string>();
    for (const [target, [moduleName]] of owners) {
      const options = this.accessor.getServerOptions(target) ?? this.accessor.getSupervisedOptions(target);
      const name = typeof options?.name === 'string' ? options.name : target.name;
      const described = `${target.name} (in ${moduleName})`;
      const first = byName.get(name);
      if (first !== undefined) throw new InvalidDefinitionError(duplicateName(name, [first, described]));
      byName.set(name, described);
    }
  }

  /** Refuses `@InjectSelf()` on a class that is not a GenServer; `what` says what the class is. */
  private checkNoSelf(target: Type<object>, what: string): void {
    const [key] = this.accessor.getSelfKeys(target);
    if (key !== undefined)
      throw new InvalidDefinitionError(selfOutsideServer(target.name, String(key), what));
  }

  /** Incarnation 1 is the instance Nest built; restarts get a fresh one from the same module's injector. */
  private factoryFor(wrapper: InstanceWrapper, server: Type<object>): DiscoveredServer['create'] {
    const moduleRef = wrapper.host?.getProviderByKey<ModuleRef>(ModuleRef)?.instance;
    return (incarnation) => {
      if (incarnation === 1 && wrapper.instance) return wrapper.instance as object;
      if (moduleRef === undefined) throw new Error(`No injector found for ${server.name}`);
      return moduleRef.create(server);
    };
  }

  private checkScope(wrapper: InstanceWrapper, target: Type<object>, message: typeof scopedServer): void {
    if (wrapper.scope === Scope.REQUEST)
      throw new InvalidDefinitionError(message(target.name, 'request-scoped'));
    if (wrapper.scope === Scope.TRANSIENT)
      throw new InvalidDefinitionError(message(target.name, 'transient'));
    if (!wrapper.isDependencyTreeStatic()) {
      throw new InvalidDefinitionError(
        message(target.name, 'implicitly request-scoped (it depends on a request-scoped provider)'),
      );
    }
  }

  /** Refuses handler decorators on a class that is not a GenServer; `message` says what the class is. */
  private checkNoHandlers(target: Type<object>, message: typeof handlerOutsideServer): void {
    for (const method of this.scanner.getAllMethodNames(target.prototype as object)) {
      const fn = (target.prototype as Record<string, unknown>)[method];
      if (typeof fn !== 'function') continue;
      const kinds = this.accessor.getHandlerKinds(fn as (...args: never[]) => unknown);
      if (kinds.length > 0) {
        throw new InvalidDefinitionError(message(target.name, method, DECORATOR_NAMES[kinds[0]]));
      }
    }
  }

  /** Refuses a GenServer class as an injection token anywhere: it must be reached through its ref. */
  private checkInjections(wrapper: InstanceWrapper): void {
    const consumer = wrapper.name ? String(wrapper.name) : 'A provider';
    if (Array.isArray(wrapper.inject)) {
      wrapper.inject.forEach((token, i) => this.refuseServerToken(consumer, token, `factory inject[${i}]`));
      return;
    }
    const metatype = classOf(wrapper);
    if (metatype === undefined) return;
    const params: unknown[] = [...((Reflect.getMetadata('design:paramtypes', metatype) as unknown[]) ?? [])];
    const declared =
      (Reflect.getMetadata('self:paramtypes', metatype) as { index: number; param: unknown }[]) ?? [];
    for (const { index, param } of declared) params[index] = param;
    params.forEach((token, i) => this.refuseServerToken(metatype.name, token, `constructor parameter #${i}`));
    const properties =
      (Reflect.getMetadata('self:properties_metadata', metatype) as { key: string; type: unknown }[]) ?? [];
    for (const { key, type } of properties) this.refuseServerToken(metatype.name, type, `property '${key}'`);
  }

  private refuseServerToken(consumer: string, token: unknown, where: string): void {
    const resolved = unwrapForwardRef(token);
    if (this.accessor.isServer(resolved)) {
      throw new InvalidDefinitionError(directInjection(consumer, resolved.name, where));
    }
  }
}

/** The class of a class provider (not a value or factory provider). */
function classOf(wrapper: InstanceWrapper): Type<object> | undefined {
  const metatype = wrapper.metatype;
  if (typeof metatype !== 'function' || wrapper.inject) return undefined;
  return metatype as Type<object>;
}

function unwrapForwardRef(token: unknown): unknown {
  if (token !== null && typeof token === 'object' && 'forwardRef' in token) {
    const ref = (token as { forwardRef: () => unknown }).forwardRef;
    return typeof ref === 'function' ? ref() : token;
  }
  return token;
}
