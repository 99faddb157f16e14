import { ManifestCheckFinding } from '@gitops-backstage/plugin-gitops-common';
import { parseImageRef } from '../imageRef';
import { isPlainObject } from '../parseYaml';
import { listAt, objectAt } from './objects';

/** What {@link checkManifest} needs to know beyond the pod template. */
export interface ManifestCheckOptions {
  /** The environment's name, for the messages. */
  environment: string;
  /**
   * The environment's policy requires images pinned by digest
   * (`policy.supplyChain.requireDigest`): an unpinned image is then a `fail`, else a `warn`.
   */
  requireDigest: boolean;
}

/**
 * Checks of a declared pod template beyond Pod Security: images pinned by digest and not
 * `latest`, resources and probes set, a read-only root filesystem. One finding per container
 * and check; an empty list when everything is set.
 *
 * @param podSpec - `spec.template.spec` of the workload, with the environment's image
 * overrides already applied.
 */
export function checkManifest(
  podSpec: unknown,
  options: ManifestCheckOptions,
): ManifestCheckFinding[] {
  const spec = isPlainObject(podSpec) ? podSpec : {};
  const containers = listAt(spec, 'containers');
  const initContainers = listAt(spec, 'initContainers');
  const findings: ManifestCheckFinding[] = [];
  const add = (
    check: ManifestCheckFinding['check'],
    severity: ManifestCheckFinding['severity'],
    container: string,
    message: string,
  ) =>
    findings.push({
      check,
      severity,
      container,
      message: `container ${container}: ${message}`,
    });

  // Every image the pod pulls runs in it, init containers' too.
  for (const c of [...initContainers, ...containers]) {
    const name = String(c.name);
    const image = String(c.image ?? '');
    const ref = parseImageRef(image);
    if (!ref.digest) {
      add(
        'digestPinned',
        options.requireDigest ? 'fail' : 'warn',
        name,
        `image ${image} is not pinned by digest${
          options.requireDigest ? ` (${options.environment} requires it)` : ''
        }`,
      );
      // A digest makes the tag a label only: `latest@sha256:…` still runs one fixed image.
      if (ref.tag === null) {
        add(
          'noLatestTag',
          'fail',
          name,
          `image ${image} has no tag: it runs whatever latest is when the pod starts`,
        );
      } else if (ref.tag === 'latest') {
        add(
          'noLatestTag',
          'fail',
          name,
          `image ${image} uses the latest tag: the version is not in Git`,
        );
      }
    }
  }

  // Init containers run to completion before the pod is ready: probes do not apply to them,
  // and their resources rarely matter for scheduling beyond the largest container's.
  for (const c of containers) {
    const name = String(c.name);
    const missing = ['requests', 'limits'].flatMap(side =>
      ['cpu', 'memory']
        .filter(
          resource =>
            !isSet(objectAt(objectAt(c, 'resources'), side)[resource]),
        )
        .map(resource => `${side}.${resource}`),
    );
    if (missing.length > 0) {
      add(
        'resourcesSet',
        'warn',
        name,
        `resources ${missing.join(', ')} not set`,
      );
    }
    const probes = ['readinessProbe', 'livenessProbe'].filter(
      probe => !isPlainObject(c[probe]),
    );
    if (probes.length > 0)
      add('probesSet', 'warn', name, `no ${probes.join(' or ')}`);
    // Not part of the Pod Security Standards (so not a podSecurity finding there), but the
    // issue's hardening asks for it: shown, never gating.
    if (objectAt(c, 'securityContext').readOnlyRootFilesystem !== true) {
      add('podSecurity', 'warn', name, 'readOnlyRootFilesystem is not true');
    }
  }
  return findings;
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && String(value) !== '';
}
