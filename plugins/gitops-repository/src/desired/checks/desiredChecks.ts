import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { KubernetesObject } from '../buildKustomization';
import { formatImageRef, parseImageRef } from '../imageRef';
import { isPlainObject } from '../parseYaml';
import { WorkloadHints, pickWorkload } from '../workloadState';
import { checkManifest } from './manifestChecks';
import { checkPodSecurity } from './podSecurity';

/**
 * The manifest checks of a desired state: Pod Security and the other checks of the service's
 * workload as the environment renders it. Only a Kustomize render has a pod template; Helm
 * values do not (the chart's templates are not rendered), so `podSecurity` is `null` there
 * and `manifestChecks` absent: unknown, which is not a finding.
 */
export function desiredChecks(
  state: DesiredState,
  rendered:
    | { layout: 'kustomize'; objects: KubernetesObject[] }
    | { layout: 'helm'; values: Record<string, any> },
  options: {
    hints: WorkloadHints;
    environment: string;
    requireDigest: boolean;
  },
): Pick<DesiredState, 'podSecurity' | 'manifestChecks'> {
  if (rendered.layout !== 'kustomize') return { podSecurity: null };
  let picked: ReturnType<typeof pickWorkload>;
  try {
    // The same choice of workload and container as the state's version fields.
    picked = pickWorkload(rendered.objects, options.hints, '');
  } catch {
    return { podSecurity: null };
  }
  const template = picked.template;
  if (!isPlainObject(template) || !isPlainObject(template.spec)) {
    return { podSecurity: null };
  }
  const podSpec = withStateImage(template.spec, picked.container, state);
  return {
    podSecurity: checkPodSecurity(podSpec, template.metadata),
    manifestChecks: checkManifest(podSpec, {
      environment: options.environment,
      requireDigest: options.requireDigest,
    }),
  };
}

/**
 * The pod spec with the service's container running the state's image: an Argo CD
 * Application's `kustomize.images` (and the image updater's) apply after the build, so the
 * rendered objects may still hold the base's tag while the state holds the deployed one.
 */
function withStateImage(
  podSpec: Record<string, any>,
  container: Record<string, any>,
  state: DesiredState,
): Record<string, any> {
  if (!state.image || state.imageSource === 'chartDefaults') return podSpec;
  const image = formatImageRef({
    name: state.image,
    tag: state.tag,
    digest: state.digest,
  });
  const current = String(container.image ?? '');
  if (formatImageRef(parseImageRef(current)) === image) return podSpec;
  const containers: unknown[] = Array.isArray(podSpec.containers)
    ? podSpec.containers
    : [];
  return {
    ...podSpec,
    containers: containers.map(c => (c === container ? { ...c, image } : c)),
  };
}
