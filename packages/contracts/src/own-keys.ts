/**
 * Lookups by a name that data or config chose. A plain object answers for names
 * it merely inherits (`constructor`, `toString`, `__proto__`), so every such
 * lookup asks for the object's own property.
 */

/** The value `obj` itself holds under `key`; undefined when it holds none (whatever its prototype has). */
export function ownValue<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** An empty object with no prototype, for counters and maps keyed by names from data or config. */
export function nameTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
