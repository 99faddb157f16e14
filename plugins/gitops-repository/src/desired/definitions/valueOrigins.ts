import { ValueOrigin } from '@gitops-backstage/plugin-gitops-common';
import {
  LineCounter,
  Node,
  isMap,
  isScalar,
  isSeq,
  parseAllDocuments,
} from 'yaml';
import { ManifestError, isPlainObject } from '../parseYaml';

/** A path into a YAML document or into Helm values. */
export type YamlPath = Array<string | number>;

/** Helm values and, for every scalar, where it was set. */
export interface TracedValues {
  values: Record<string, any>;
  /** Keyed by {@link pathKey} of the values path. */
  origins: Map<string, ValueOrigin>;
}

export function pathKey(path: YamlPath): string {
  return JSON.stringify(path.map(String));
}

/** `image.tag`, `spec.source.helm.parameters[2].value`. */
export function formatYamlPath(path: YamlPath): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`))
    .join('');
}

/**
 * Reads one document of a YAML file with the line of every scalar under `at`, so a value can
 * be shown, and later edited, where it is written.
 *
 * @param doc - which document of a multi-document file (default the first)
 */
export function traceYaml(
  text: string,
  file: string,
  at: YamlPath = [],
  doc = 0,
): TracedValues | undefined {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs) || !docs[doc]) return undefined;
  const document = docs[doc];
  if (document.errors.length > 0) {
    throw new ManifestError(`${file}: ${document.errors[0].message}`);
  }
  const node = document.getIn(at, true) as Node | undefined;
  if (!node) return undefined;
  const values = document.getIn(at) as any;
  const origins = new Map<string, ValueOrigin>();
  const walk = (current: unknown, rel: YamlPath) => {
    if (isMap(current)) {
      for (const pair of current.items) {
        const key = isScalar(pair.key)
          ? String(pair.key.value)
          : String(pair.key);
        walk(pair.value, [...rel, key]);
      }
    } else if (isSeq(current)) {
      current.items.forEach((item, i) => walk(item, [...rel, i]));
    } else if (isScalar(current) && current.range) {
      origins.set(pathKey(rel), {
        file,
        line: lineCounter.linePos(current.range[0]).line,
        yamlPath: formatYamlPath([...at, ...rel]),
        path: [...at, ...rel],
        ...(doc > 0 ? { document: doc } : {}),
      });
    }
  };
  walk(node, []);
  return {
    values: (values && typeof values === 'object' && 'toJSON' in values
      ? values.toJSON()
      : values) as Record<string, any>,
    origins,
  };
}

/**
 * Deep-merges values like Helm (`-f a -f b`): maps merge, everything else is replaced, `null`
 * removes; the origins follow the values.
 */
export function mergeTraced(
  base: TracedValues,
  over: TracedValues,
): TracedValues {
  const origins = new Map(base.origins);
  const merge = (
    target: Record<string, any>,
    source: Record<string, any>,
    at: YamlPath,
  ): Record<string, any> => {
    const result = { ...target };
    for (const [key, value] of Object.entries(source)) {
      const path = [...at, key];
      if (isPlainObject(value) && isPlainObject(result[key])) {
        result[key] = merge(result[key], value, path);
        continue;
      }
      // Anything below a replaced key came from the base and is gone.
      const prefix = pathKey(path).slice(0, -1);
      for (const k of [...origins.keys()]) {
        if (k === pathKey(path) || k.startsWith(`${prefix},`))
          origins.delete(k);
      }
      if (value === null) {
        delete result[key];
        continue;
      }
      result[key] = value;
      for (const [k, origin] of over.origins) {
        if (k === pathKey(path) || k.startsWith(`${prefix},`))
          origins.set(k, origin);
      }
    }
    return result;
  };
  return { values: merge(base.values ?? {}, over.values ?? {}, []), origins };
}

/** Sets one value (as `--set a.b=c` does), recording where it was set. */
export function setTraced(
  traced: TracedValues,
  path: YamlPath,
  value: unknown,
  origin: ValueOrigin,
): TracedValues {
  const values = structuredClone(traced.values ?? {});
  let node = values;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key];
  }
  node[path[path.length - 1]] = value;
  const origins = new Map(traced.origins);
  origins.set(pathKey(path), origin);
  return { values, origins };
}

/** The values and origins under `at`, keyed relative to it (origins keep their full paths). */
export function subtree(traced: TracedValues, at: YamlPath): TracedValues {
  const prefix = at.map(String);
  const origins = new Map<string, ValueOrigin>();
  for (const origin of traced.origins.values()) {
    const p = origin.path.map(String);
    if (prefix.every((k, i) => p[i] === k) && p.length > prefix.length) {
      origins.set(pathKey(origin.path.slice(at.length)), origin);
    }
  }
  const values = at.reduce<any>((v, k) => v?.[k], traced.values);
  return { values: isPlainObject(values) ? values : {}, origins };
}

export function emptyTraced(): TracedValues {
  return { values: {}, origins: new Map() };
}
