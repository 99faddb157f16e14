import { DesiredState } from '@gitops-backstage/plugin-gitops-common';
import { DesiredStateResult } from '@gitops-backstage/plugin-gitops-repository';
import { isPlainObject } from '@gitops-backstage/plugin-gitops-repository';

/** One field that differs between two environments. */
export interface Difference {
  field: string;
  from: string | number | boolean | null;
  to: string | number | boolean | null;
}

type Leaf = string | number | boolean | null;

/**
 * A structured diff of two environments' desired state: the version and scaling summary
 * first (`image.tag`, `replicas`, `autoscaling.*`, `resources.*`), then environment variables
 * (`env.NAME`), then every other difference of the service's container and workload spec
 * (Kustomize) or of the merged values (Helm). Namespaces differ by design and are left out.
 */
export function compareDesired(
  from: DesiredStateResult,
  to: DesiredStateResult,
): Difference[] {
  const differences: Difference[] = [];
  const add = (a: Map<string, Leaf>, b: Map<string, Leaf>) => {
    for (const field of new Set([...a.keys(), ...b.keys()])) {
      const x = a.get(field) ?? null;
      const y = b.get(field) ?? null;
      if (x !== y && !differences.some(d => d.field === field)) {
        differences.push({ field, from: x, to: y });
      }
    }
  };
  add(summary(from.state), summary(to.state));
  add(envVars(from), envVars(to));
  add(details(from), details(to));
  return differences;
}

function summary(state: DesiredState): Map<string, Leaf> {
  return new Map<string, Leaf>([
    ['image.repository', state.image],
    ['image.tag', state.tag],
    ['image.digest', state.digest],
    // A chart from a Helm or OCI repository: its version (or range) is what a promotion moves.
    ['chart.version', state.chart?.version ?? null],
    ['replicas', state.replicas],
    ['autoscaling.minReplicas', state.autoscaling?.minReplicas ?? null],
    ['autoscaling.maxReplicas', state.autoscaling?.maxReplicas ?? null],
    [
      'autoscaling.targetCPUUtilizationPercentage',
      state.autoscaling?.targetCPUUtilizationPercentage ?? null,
    ],
    [
      'autoscaling.targetMemoryUtilizationPercentage',
      state.autoscaling?.targetMemoryUtilizationPercentage ?? null,
    ],
    ['resources.requests.cpu', state.resources?.requests.cpu ?? null],
    ['resources.requests.memory', state.resources?.requests.memory ?? null],
    ['resources.limits.cpu', state.resources?.limits.cpu ?? null],
    ['resources.limits.memory', state.resources?.limits.memory ?? null],
  ]);
}

function container(
  result: DesiredStateResult,
): Record<string, any> | undefined {
  if (result.rendered.layout !== 'kustomize') return undefined;
  const workload = result.rendered.objects.find(
    o =>
      o.metadata?.name === result.state.workload &&
      /^(Deployment|StatefulSet|DaemonSet)$/.test(String(o.kind)),
  );
  const containers: any[] = workload?.spec?.template?.spec?.containers ?? [];
  return (
    containers.find(c =>
      String(c.image ?? '').startsWith(`${result.state.image}`),
    ) ?? containers[0]
  );
}

function envVars(result: DesiredStateResult): Map<string, Leaf> {
  const vars = new Map<string, Leaf>();
  const env: any[] =
    result.rendered.layout === 'helm' ? [] : container(result)?.env ?? [];
  for (const item of env) {
    if (item?.name) {
      vars.set(
        `env.${item.name}`,
        item.value !== undefined
          ? String(item.value)
          : JSON.stringify(item.valueFrom ?? null),
      );
    }
  }
  return vars;
}

/** Everything else, flattened to `a.b[name].c` leaves. */
function details(result: DesiredStateResult): Map<string, Leaf> {
  const leaves = new Map<string, Leaf>();
  if (result.rendered.layout === 'helm') {
    const {
      image: _image,
      replicaCount: _r,
      autoscaling: _a,
      resources: _res,
      ...rest
    } = result.rendered.values;
    flatten(rest, 'values', leaves);
    return leaves;
  }
  const c = container(result);
  if (c) {
    const { image: _image, resources: _resources, env: _env, ...rest } = c;
    flatten(rest, `container`, leaves);
  }
  return leaves;
}

function flatten(value: unknown, prefix: string, out: Map<string, Leaf>) {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const key =
        isPlainObject(item) && typeof item.name === 'string'
          ? item.name
          : String(index);
      flatten(item, `${prefix}[${key}]`, out);
    });
  } else if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value))
      flatten(child, `${prefix}.${key}`, out);
  } else if (
    value === null ||
    ['string', 'number', 'boolean'].includes(typeof value)
  ) {
    out.set(prefix, value as Leaf);
  }
}
