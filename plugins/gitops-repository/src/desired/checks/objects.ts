import { isPlainObject } from '../parseYaml';

/** Manifests as parsed YAML: any shape, read defensively. */
export type Obj = Record<string, any>;

/** The mapping at `key`, or an empty one when it is absent or not a mapping. */
export function objectAt(value: unknown, key: string): Obj {
  const child = isPlainObject(value) ? value[key] : undefined;
  return isPlainObject(child) ? child : {};
}

/** The mappings of the list at `key`; other entries and a missing list give none. */
export function listAt(value: unknown, key: string): Obj[] {
  const child = isPlainObject(value) ? value[key] : undefined;
  return Array.isArray(child) ? child.filter(isPlainObject) : [];
}
