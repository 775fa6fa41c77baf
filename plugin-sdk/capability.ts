/**
 * Typed capability references, in the manner of Backstage's service refs: a plugin names
 * what it needs by a ref object, and the host hands it the implementation typed.
 */

/** `single`: exactly one provider may be active. `multi`: any number, keyed (e.g. workload type). */
export type Cardinality = 'single' | 'multi';

export interface CapabilityRef<T, C extends Cardinality = Cardinality> {
  readonly id: string;
  readonly cardinality: C;
  readonly description: string;
  /** Phantom field that carries the implementation type; never set at run time. */
  readonly __type?: T;
}

/** What `setup` receives for a required capability ref. */
export type Resolved<R> = R extends CapabilityRef<infer T, 'single'>
  ? T
  : R extends CapabilityRef<infer T, 'multi'>
    ? ReadonlyMap<string, T>
    : never;

export type ResolvedMap<Req extends Record<string, CapabilityRef<unknown>>> = {
  readonly [K in keyof Req]: Resolved<Req[K]>;
};

const CAPABILITY_ID = /^[a-z][a-zA-Z0-9]{1,40}$/;

/**
 * Declares a capability. Call once per capability, at module top level.
 * @throws TypeError when the id is not camelCase ASCII (2–41 chars).
 * Idempotent only in the sense that two refs with the same id are treated as the same capability.
 */
export function defineCapability<T, C extends Cardinality = 'single'>(spec: {
  id: string;
  cardinality?: C;
  description: string;
}): CapabilityRef<T, C> {
  if (!CAPABILITY_ID.test(spec.id)) throw new TypeError(`capability id ${JSON.stringify(spec.id)} must be camelCase ASCII`);
  return Object.freeze({ id: spec.id, cardinality: (spec.cardinality ?? 'single') as C, description: spec.description });
}
