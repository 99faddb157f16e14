import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * A validator of a custom resource against its CRD's `openAPIV3Schema` (a vendored CRD of
 * crds/: Trivy Operator's VulnerabilityReport, Kyverno's PolicyReport, Flagger's Canary), for the backend's
 * fixtures and the demo cluster's reports alike, checking what the API server checks (types, enums, required fields, formats) and
 * also what it would silently prune: a field the schema does not declare, at any level that
 * does not preserve unknown fields, is an error here (a misspelt field would be lost).
 * Returns the errors of an object, `[]` when it validates.
 */
export function crdValidator(file: string): (object: unknown) => string[] {
  const crd = parse(
    // The testkit runs from source, never from a production build.
    // eslint-disable-next-line no-restricted-syntax
    fs.readFileSync(path.join(__dirname, 'crds', file), 'utf8'),
  );
  const [version] = crd.spec.versions;
  const apiVersion = `${crd.spec.group}/${version.name}`;
  const schema = structural(version.schema.openAPIV3Schema);
  schema.properties.apiVersion = { const: apiVersion };
  schema.properties.kind = { const: crd.spec.names.kind };
  schema.properties.metadata = {
    type: 'object',
    required: ['name', 'namespace'],
    properties: {
      name: {
        type: 'string',
        pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$',
      },
      namespace: { type: 'string' },
      labels: {
        type: 'object',
        additionalProperties: { type: 'string', maxLength: 63 },
      },
    },
  };
  schema.required = [
    ...(schema.required ?? []),
    'apiVersion',
    'kind',
    'metadata',
  ];
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('date-time', {
    type: 'string',
    validate: value =>
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) &&
      Number.isFinite(Date.parse(value)),
  });
  ajv.addFormat('int32', {
    type: 'number',
    validate: value => Number.isInteger(value) && Math.abs(value) < 2 ** 31,
  });
  ajv.addFormat('int64', {
    type: 'number',
    validate: value => Number.isSafeInteger(value),
  });
  // Formats the API server does not know it does not check: Flagger's Canary CRD says
  // `format: string` and `format: url` (Kubernetes knows `uri`, not `url`).
  ajv.addFormat('string', true);
  ajv.addFormat('url', true);
  const validate = ajv.compile(schema);
  return object =>
    validate(object)
      ? []
      : (validate.errors ?? []).map(
          e =>
            `${e.instancePath || '/'} ${e.message}${
              e.keyword === 'additionalProperties'
                ? ` (${(e.params as any).additionalProperty})`
                : ''
            }`,
        );
}

/** The schema with `additionalProperties: false` where the API server prunes unknown fields. */
function structural(schema: any): any {
  if (!schema || typeof schema !== 'object') return schema;
  const out: any = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(value as object).map(([k, v]) => [k, structural(v)]),
      );
    } else if (key === 'items' || key === 'additionalProperties') {
      out[key] = structural(value);
    } else {
      out[key] = value;
    }
  }
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !schema['x-kubernetes-preserve-unknown-fields']
  ) {
    out.additionalProperties = false;
  }
  return out;
}
