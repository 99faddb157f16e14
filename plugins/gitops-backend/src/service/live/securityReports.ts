import { LiveState } from '@gitops-backstage/plugin-gitops-common';
import { parseImageRef } from '@gitops-backstage/plugin-gitops-repository';
import { ClusterObjects, KindKey, KindReadState, KubeObject } from './kinds';
import { aboutKey, findByKey, normalizeImage } from './objectIndex';
import {
  PolicyResource,
  policyEvidenceOf,
  vulnerabilityEvidenceOf,
} from './securityEvidence';
import { ServiceObjects } from './selectServiceObjects';

/** What the cluster's scanners and admission policies reported about a workload. */
export type LiveSecurity = NonNullable<LiveState['security']>;

/** Whether a report kind could be read in the cluster. */
export type ReportsInstall = LiveSecurity['installed']['trivy-operator'];

/** A workload's VulnerabilityReports and PolicyReports, and the objects they may be about. */
export interface SecurityReports {
  vulnerabilityReports: KubeObject[];
  policyReports: KubeObject[];
  /** The Deployment (or the workload named in Git), its ReplicaSets and Pods. */
  resources: PolicyResource[];
}

const REPLICA_SET_IN_MESSAGE = /ReplicaSet "([^"]+)"/;

/**
 * The objects reports may be about: the Deployment; its ReplicaSets, named from its pods'
 * `pod-template-hash` (`<deployment>-<hash>`, as the controller names them) or, with no pod
 * running, from its Progressing condition (`ReplicaSet "guestbook-5d9f…" has successfully
 * progressed.`); its pods. Without a Deployment, the workload
 * Git names, as a Deployment or a StatefulSet. ReplicaSets are not watched: this is all
 * read from what is.
 */
export function workloadResources(
  found: Pick<ServiceObjects, 'deployment' | 'pods'> &
    Partial<Pick<ServiceObjects, 'rollout'>>,
  namespace: string,
  workloadName?: string | null,
): PolicyResource[] {
  const { pods } = found;
  // An Argo Rollouts Rollout owns its ReplicaSets (`<rollout>-<hash>`) as a Deployment does;
  // its pods carry the hash as `rollouts-pod-template-hash`.
  const deployment = found.deployment ?? found.rollout;
  const hashLabel =
    deployment?.kind === 'Rollout'
      ? 'rollouts-pod-template-hash'
      : 'pod-template-hash';
  const resource = (kind: string, name: string): PolicyResource => ({
    kind,
    name,
    namespace,
  });
  if (!deployment) {
    return workloadName
      ? [
          resource('Deployment', workloadName),
          resource('StatefulSet', workloadName),
        ]
      : [];
  }
  const name = String(deployment.metadata?.name);
  const replicaSets = new Set<string>();
  for (const pod of pods) {
    const hash = pod.metadata?.labels?.[hashLabel];
    if (hash) replicaSets.add(`${name}-${hash}`);
  }
  if (replicaSets.size === 0) {
    const progressing = (deployment.status?.conditions ?? []).find(
      (c: any) => c?.type === 'Progressing',
    );
    const current = REPLICA_SET_IN_MESSAGE.exec(
      String(progressing?.message),
    )?.[1];
    if (current) replicaSets.add(current);
  }
  return [
    resource(String(deployment.kind ?? 'Deployment'), name),
    ...[...replicaSets].map(rs => resource('ReplicaSet', rs)),
    ...pods.map(p => resource('Pod', String(p.metadata?.name))),
  ];
}

/**
 * The workload's reports, looked up through the index by the objects they are about (never a
 * scan of the cluster's reports): VulnerabilityReports of its Deployment or StatefulSet and
 * ReplicaSets (Trivy Operator scans the ReplicaSet of a Deployment, per container);
 * PolicyReports whose scope, or one of whose results, is any of its objects.
 */
export function selectSecurityReports(
  cluster: ClusterObjects,
  resources: readonly PolicyResource[],
  kindState: (kind: KindKey) => KindReadState = () => 'read',
): SecurityReports {
  const lookup = (kind: KindKey, of: readonly PolicyResource[]) => {
    if (kindState(kind) === 'absent') return [];
    const reports = new Set<KubeObject>();
    for (const r of of) {
      for (const report of findByKey(
        cluster,
        kind,
        aboutKey(r.namespace, r.kind, r.name),
      )) {
        reports.add(report);
      }
    }
    return [...reports];
  };
  return {
    vulnerabilityReports: lookup(
      'vulnerabilityreports',
      resources.filter(r => r.kind !== 'Pod'),
    ),
    policyReports: lookup('policyreports', resources),
    resources: [...resources],
  };
}

/** `installed` when read, `not installed` when the CRD is absent, `unreadable` when forbidden. */
export function reportsInstall(state: KindReadState): ReportsInstall {
  if (state === 'absent') return 'not installed';
  if (state === 'forbidden') return 'unreadable';
  if (state === 'unknown') return 'unknown';
  return 'installed';
}

/**
 * The image of the version the workload runs: the Deployment's container of the image Git
 * sets, or its only container. `null` when that cannot be told (several containers, none of
 * Git's image): the roll-up then covers every container.
 */
export function runningImage(
  deployment: KubeObject | undefined,
  desiredImage: string | null | undefined,
): string | null {
  const images: string[] = (deployment?.spec?.template?.spec?.containers ?? [])
    .map((c: any) => c?.image)
    .filter(Boolean)
    .map(String);
  if (desiredImage) {
    const wanted = normalizeImage(desiredImage);
    const match = images.find(
      i => normalizeImage(parseImageRef(i).name) === wanted,
    );
    if (match) return match;
  }
  return images.length === 1 ? images[0] : null;
}

/**
 * The security part of a workload's live state: its vulnerabilities (of the version it runs),
 * its policy results, and whether the cluster has each kind of report at all.
 */
export function liveSecurity(
  cluster: ClusterObjects,
  found: Pick<ServiceObjects, 'deployment' | 'pods'> &
    Partial<Pick<ServiceObjects, 'rollout' | 'workloadRef'>>,
  options: {
    namespace: string;
    workloadName?: string | null;
    desiredImage?: string | null;
  },
): LiveSecurity {
  const kindState = (kind: KindKey): KindReadState =>
    cluster.kindState ? cluster.kindState(kind) : 'read';
  const resources = workloadResources(
    found,
    options.namespace,
    options.workloadName,
  );
  const reports = selectSecurityReports(cluster, resources, kindState);
  return {
    vulnerabilities: vulnerabilityEvidenceOf(reports.vulnerabilityReports, {
      // A Rollout with `workloadRef` runs the referenced Deployment's template.
      image: runningImage(
        found.deployment ??
          (found.rollout?.spec?.template ? found.rollout : found.workloadRef),
        options.desiredImage,
      ),
    }),
    policies: policyEvidenceOf(reports.policyReports, { resources }),
    installed: {
      'trivy-operator': reportsInstall(kindState('vulnerabilityreports')),
      'policy-reports': reportsInstall(kindState('policyreports')),
    },
  };
}
