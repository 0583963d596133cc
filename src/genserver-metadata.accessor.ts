import { Injectable, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  GENSERVER_METADATA,
  HANDLE_CALL_METADATA,
  HANDLE_CAST_METADATA,
  HANDLE_INFO_METADATA,
  INIT_METADATA,
  INJECT_SELF_METADATA,
  MISPLACED_METADATA,
  ON_IDLE_METADATA,
  PERIODIC_METADATA,
  SUPERVISED_METADATA,
  TERMINATE_METADATA,
} from './genserver.constants.js';
import type { MisplacedDecorator } from './decorators/method-metadata.js';
import type { PeriodicDeclaration } from './decorators/periodic.decorator.js';
import type { GenServerOptions } from './interfaces/genserver-options.interface.js';
import type { Duration } from './runtime/periodic/duration.js';
import type { SupervisedOptions } from './interfaces/supervised-options.interface.js';

/** Any class or method the decorators can annotate. */
type Annotated = (...args: never[]) => unknown;

/** The handler decorators a method can carry. */
export type HandlerKind = 'call' | 'cast' | 'info' | 'init' | 'terminate' | 'periodic' | 'idle';

/** The decorator behind each handler kind, for error messages. */
export const DECORATOR_NAMES: Readonly<Record<HandlerKind, string>> = {
  call: 'HandleCall',
  cast: 'HandleCast',
  info: 'HandleInfo',
  init: 'Init',
  terminate: 'Terminate',
  periodic: 'Periodic',
  idle: 'OnIdle',
};

/** Typed getters over the metadata the decorators write. */
@Injectable()
export class GenServerMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  /** The `@GenServer` options of a class, or undefined if it is not a GenServer. */
  getServerOptions(target: Type<object> | Annotated): GenServerOptions | undefined {
    return this.reflector.get<GenServerOptions | undefined>(GENSERVER_METADATA, target);
  }

  isServer(target: unknown): target is Type<object> {
    return typeof target === 'function' && this.getServerOptions(target as Annotated) !== undefined;
  }

  /** The `@Supervised` options of a class, or undefined if it is not a supervisor. */
  getSupervisedOptions(target: Type<object> | Annotated): SupervisedOptions | undefined {
    return this.reflector.get<SupervisedOptions | undefined>(SUPERVISED_METADATA, target);
  }

  isSupervised(target: unknown): target is Type<object> {
    return typeof target === 'function' && this.getSupervisedOptions(target as Annotated) !== undefined;
  }

  /** The message name given to `@HandleCall(name?)` / `@HandleCast(name?)`, or undefined if absent. */
  getMessage(kind: 'call' | 'cast', method: Annotated): { name?: string } | undefined {
    return this.reflector.get(kind === 'call' ? HANDLE_CALL_METADATA : HANDLE_CAST_METADATA, method);
  }

  /** Which handler decorators a method carries. */
  getHandlerKinds(method: Annotated): HandlerKind[] {
    const kinds: HandlerKind[] = [];
    if (this.getMessage('call', method)) kinds.push('call');
    if (this.getMessage('cast', method)) kinds.push('cast');
    if (this.reflector.get(HANDLE_INFO_METADATA, method)) kinds.push('info');
    if (this.reflector.get(INIT_METADATA, method)) kinds.push('init');
    if (this.reflector.get(TERMINATE_METADATA, method)) kinds.push('terminate');
    if (this.getPeriodic(method)) kinds.push('periodic');
    if (this.getOnIdle(method)) kinds.push('idle');
    return kinds;
  }

  /** What `@Periodic` declared on a method, if anything. */
  getPeriodic(method: Annotated): PeriodicDeclaration | undefined {
    return this.reflector.get<PeriodicDeclaration | undefined>(PERIODIC_METADATA, method);
  }

  /** The idle timeout `@OnIdle(after)` declared on a method, if any. */
  getOnIdle(method: Annotated): { after: Duration } | undefined {
    return this.reflector.get<{ after: Duration } | undefined>(ON_IDLE_METADATA, method);
  }

  /** Handler decorators put on members that are not instance methods (inherited ones included). */
  getMisplaced(target: Type<object>): readonly MisplacedDecorator[] {
    return (Reflect.getMetadata(MISPLACED_METADATA, target) as MisplacedDecorator[] | undefined) ?? [];
  }

  /** Properties decorated with `@InjectSelf()` (inherited ones included). */
  getSelfKeys(target: Type<object>): readonly (string | symbol)[] {
    return (Reflect.getMetadata(INJECT_SELF_METADATA, target) as (string | symbol)[] | undefined) ?? [];
  }
}
