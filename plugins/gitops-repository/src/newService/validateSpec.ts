import { InputError } from '@backstage/errors';
import path from 'node:path';
import { parseImageRef } from '../desired/imageRef';
import { NewServiceSpec } from './types';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** A registry host (with its port) and path components, lower case, as registries accept. */
const IMAGE_REPOSITORY =
  /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/;
/** The OCI distribution spec's tag grammar. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Helm refuses longer release names; Argo CD names the release after its Application. */
const HELM_RELEASE_NAME_MAX = 53;

function refuse(field: string, problem: string): never {
  throw new InputError(`${field}: ${problem}`);
}

function dnsLabel(field: string, value: unknown) {
  if (
    typeof value !== 'string' ||
    value.length > 63 ||
    !DNS_LABEL.test(value)
  ) {
    refuse(
      field,
      `${JSON.stringify(
        value,
      )} is not a DNS label (at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit)`,
    );
  }
}

function dnsSubdomain(field: string, value: unknown) {
  if (
    typeof value !== 'string' ||
    value.length > 253 ||
    !DNS_SUBDOMAIN.test(value)
  ) {
    refuse(field, `${JSON.stringify(value)} is not a Kubernetes object name`);
  }
}

function nonEmpty(field: string, value: unknown) {
  if (typeof value !== 'string' || value.trim() === '') {
    refuse(field, 'is required');
  }
}

/** A path inside the repository, as written: relative, normalized, without `..`. */
function repoPath(field: string, value: unknown) {
  if (typeof value !== 'string' || value === '') refuse(field, 'is required');
  if (value.startsWith('/') || /^[a-zA-Z]:/.test(value)) {
    refuse(field, `${value} is absolute; give a path inside the repository`);
  }
  if (value.includes('\\') || value.includes('\0')) {
    refuse(field, `${value} has a backslash or NUL; use "/" between folders`);
  }
  const segments = value.split('/');
  if (segments.includes('..')) {
    refuse(field, `${value} leaves the repository or its folder ("..")`);
  }
  if (segments.some(s => s === '' || s === '.')) {
    refuse(
      field,
      `${value} is not normalized (empty or "." segments, or a trailing "/"); write ${
        path.posix.normalize(value).replace(/\/+$/, '') || '.'
      }`,
    );
  }
}

function yamlPath(field: string, value: unknown) {
  repoPath(field, value);
  if (!/\.ya?ml$/.test(value as string)) {
    refuse(field, `${value} is not a YAML file (.yaml or .yml)`);
  }
}

const isUnder = (file: string, folder: string) =>
  file === folder || file.startsWith(`${folder}/`);

/**
 * Refuses a spec the files cannot be written from, naming the field: InputError, so a
 * scaffolder action or a REST call answers 400 with what to fix.
 */
export function validateSpec(spec: NewServiceSpec): void {
  dnsLabel('name', spec.name);
  repoPath('path', spec.path);
  if (!['argocd', 'flux'].includes(spec.engine)) {
    refuse('engine', `${JSON.stringify(spec.engine)} is not argocd or flux`);
  }
  if (!['kustomize', 'helm'].includes(spec.layout)) {
    refuse('layout', `${JSON.stringify(spec.layout)} is not kustomize or helm`);
  }
  validateImage(spec);
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
    refuse('port', `${spec.port} is not a port (1-65535)`);
  }
  const { minReplicas, maxReplicas } = spec.autoscaling ?? ({} as any);
  if (!Number.isInteger(minReplicas) || minReplicas < 1) {
    refuse(
      'autoscaling.minReplicas',
      `${minReplicas} is not a count of at least 1`,
    );
  }
  if (!Number.isInteger(maxReplicas) || maxReplicas < 1) {
    refuse(
      'autoscaling.maxReplicas',
      `${maxReplicas} is not a count of at least 1`,
    );
  }
  if (minReplicas > maxReplicas) {
    refuse(
      'autoscaling.minReplicas',
      `${minReplicas} is more than autoscaling.maxReplicas (${maxReplicas})`,
    );
  }
  validateEnvironments(spec);
  validateProgressiveDelivery(spec);
  if (spec.engine === 'argocd') {
    nonEmpty('repository.url', spec.repository?.url);
    nonEmpty('repository.branch', spec.repository?.branch);
    if (spec.argocd?.namespace !== undefined) {
      dnsLabel('argocd.namespace', spec.argocd.namespace);
    }
    if (spec.argocd?.project !== undefined) {
      dnsSubdomain('argocd.project', spec.argocd.project);
    }
  } else {
    if (spec.flux?.namespace !== undefined)
      dnsLabel('flux.namespace', spec.flux.namespace);
    if (spec.flux?.sourceNamespace !== undefined) {
      dnsLabel('flux.sourceNamespace', spec.flux.sourceNamespace);
    }
    if (spec.flux?.sourceName !== undefined) {
      dnsSubdomain('flux.sourceName', spec.flux.sourceName);
    }
  }
  nonEmpty('entity.owner', spec.entity?.owner);
  for (const [key, value] of Object.entries(spec.entity?.annotations ?? {})) {
    if (typeof value !== 'string') {
      refuse(`entity.annotations.${key}`, 'is not a string');
    }
  }
}

function validateProgressiveDelivery(spec: NewServiceSpec) {
  const { progressiveDelivery, prometheusAddress } = spec;
  if (
    progressiveDelivery !== undefined &&
    !['none', 'canary'].includes(progressiveDelivery)
  ) {
    refuse(
      'progressiveDelivery',
      `${JSON.stringify(progressiveDelivery)} is not none or canary`,
    );
  }
  if (prometheusAddress === undefined) return;
  // Written into YAML and a Helm template as it is: an http(s) URL with nothing to escape.
  let url: URL | undefined;
  try {
    url = new URL(String(prometheusAddress));
  } catch {
    url = undefined;
  }
  if (
    !url ||
    !['http:', 'https:'].includes(url.protocol) ||
    !/^https?:\/\/[^\s"'\\{}]+$/.test(String(prometheusAddress))
  ) {
    refuse(
      'prometheusAddress',
      `${JSON.stringify(
        prometheusAddress,
      )} is not an http(s) URL, e.g. http://prometheus.monitoring.svc.cluster.local:9090`,
    );
  }
}

function validateImage(spec: NewServiceSpec) {
  const { image, tag, digest } = spec;
  nonEmpty('image', image);
  const ref = parseImageRef(image);
  if (ref.tag !== null || ref.digest !== null) {
    refuse(
      'image',
      `${image} holds a tag or digest; give the repository (${ref.name}) and the version in tag`,
    );
  }
  if (!IMAGE_REPOSITORY.test(image)) {
    refuse(
      'image',
      `${image} is not an image repository (lower case, e.g. ghcr.io/acme/hello)`,
    );
  }
  if (typeof tag !== 'string' || tag === '') refuse('tag', 'is required');
  if (tag.toLowerCase() === 'latest') {
    refuse(
      'tag',
      '"latest" names no version: give the version to run (e.g. v1.2.3)',
    );
  }
  if (!IMAGE_TAG.test(tag)) refuse('tag', `${tag} is not an image tag`);
  if (digest === null || digest === undefined) {
    if (spec.environments?.length > 1) {
      refuse(
        'digest',
        'is required: the last environment runs the image by its digest (sha256:…)',
      );
    }
  } else if (!SHA256_DIGEST.test(digest)) {
    refuse('digest', `${digest} is not sha256:<64 lower-case hex digits>`);
  }
}

function validateEnvironments(spec: NewServiceSpec) {
  const environments = spec.environments;
  if (!Array.isArray(environments) || environments.length === 0) {
    refuse('environments', 'at least one environment is required');
  }
  const kustomize = spec.layout === 'kustomize';
  const templates = path.posix.join(spec.path, 'templates');
  const firstOf = new Map<string, number>();
  const unique = (field: string, i: number, value: string) => {
    const key = `${field}\0${value}`;
    const first = firstOf.get(key);
    if (first !== undefined) {
      refuse(
        `environments[${i}].${field}`,
        `${value} is also environments[${first}].${field} (${environments[first].name})`,
      );
    }
    firstOf.set(key, i);
  };
  environments.forEach((env, i) => {
    const at = (field: string) => `environments[${i}].${field}`;
    dnsLabel(at('name'), env.name);
    unique('name', i, env.name);
    dnsLabel(at('namespace'), env.namespace);
    yamlPath(at('definitionPath'), env.definitionPath);
    unique('definitionPath', i, env.definitionPath);
    if (typeof env.autoSync !== 'boolean')
      refuse(at('autoSync'), 'is not true or false');
    // Argo CD's tracking label and the object names carry `<name>-<env>`.
    const objectName = `${spec.name}-${env.name}`;
    const longest =
      spec.engine === 'argocd' && !kustomize ? HELM_RELEASE_NAME_MAX : 63;
    if (objectName.length > longest) {
      refuse(
        at('name'),
        `${objectName} (the ${
          longest === 63 ? 'engine object' : 'Helm release'
        } name) is longer than ${longest} characters`,
      );
    }
    if (kustomize) {
      repoPath(at('overlayPath'), env.overlayPath);
      unique('overlayPath', i, env.overlayPath);
      if (isUnder(env.overlayPath, path.posix.join(spec.path, 'base'))) {
        refuse(
          at('overlayPath'),
          `${env.overlayPath} is the base or inside it`,
        );
      }
    } else {
      yamlPath(at('valuesFile'), env.valuesFile);
      unique('valuesFile', i, env.valuesFile);
      const chartFiles = ['values.yaml', 'Chart.yaml'].map(f =>
        path.posix.join(spec.path, f),
      );
      if (
        chartFiles.includes(env.valuesFile) ||
        isUnder(env.valuesFile, templates)
      ) {
        refuse(
          at('valuesFile'),
          `${env.valuesFile} is a file of the chart itself`,
        );
      }
      // Helm renders every file in templates/: an engine object there would be installed too.
      if (isUnder(env.definitionPath, templates)) {
        refuse(
          at('definitionPath'),
          `${env.definitionPath} is inside the chart's templates`,
        );
      }
    }
  });
}
