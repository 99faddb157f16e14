import { parseAllDocuments } from 'yaml';

/** A GitOps file could not be understood; the message names the file and what is wrong. */
export class ManifestError extends Error {
  readonly name = 'ManifestError';
}

/** Parses every document of a YAML file; empty documents are dropped. */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(documents) ? documents : [documents];
  const values: unknown[] = [];
  for (const doc of list) {
    const [first] = doc.errors;
    if (first) {
      const line = first.linePos?.[0].line;
      throw new ManifestError(
        `${file}${line ? `:${line}` : ''}: invalid YAML: ${
          first.message.split('\n')[0]
        }`,
      );
    }
    const value = doc.toJS();
    if (value !== null && value !== undefined) {
      values.push(value);
    }
  }
  return values;
}

/** Parses a YAML file that must hold one mapping (a kustomization, a values file). */
export function parseYamlObject(
  text: string,
  file: string,
): Record<string, any> {
  const [value, ...rest] = parseYamlDocuments(text, file);
  if (value === undefined) {
    return {};
  }
  if (rest.length > 0 || !isPlainObject(value)) {
    throw new ManifestError(`${file}: expected one YAML mapping`);
  }
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
