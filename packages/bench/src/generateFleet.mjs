// Generates a fleet of N services: the GitOps repository (Kustomize base + dev/staging/prod
// overlays, one commit, cloned bare), the catalog file and — on demand, inside each fake cluster
// process — the cluster objects that match what Git says (so a healthy fleet shows no drift).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { application } from './k8sArgo.mjs';
import { pod } from './k8sPod.mjs';
import { deployment, hpa } from './k8sWorkloads.mjs';
import { analysisRuns, rollout, stableHash } from './k8sRollouts.mjs';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'];
const GROUPS = 20;

export const serviceName = i => `svc-${i}`;
export const imageOf = service => `ghcr.io/acme/${service}`;

/** Each environment one patch release behind the one before it, varied per service. */
export function tagsOf(i) {
  const patch = 2 + (i % 10);
  return {
    dev: `v1.4.${patch + 2}`,
    staging: `v1.4.${patch + 1}`,
    prod: `v1.4.${patch}`,
  };
}

const gitEnv = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_SYSTEM: '/dev/null',
  GIT_AUTHOR_NAME: 'Fleet Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Fleet Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_AUTHOR_DATE: '2026-11-20T08:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-20T08:00:00Z',
};
const git = (cwd, ...args) =>
  execFileSync('git', args, {
    cwd,
    env: gitEnv,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  }).trim();

function baseFiles(service) {
  const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

resources:
  - deployment.yaml

labels:
  - pairs:
      app.kubernetes.io/part-of: ${service}
    includeTemplates: true
`;
  const deploymentYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${service}
  labels:
    app.kubernetes.io/name: ${service}
    backstage.io/kubernetes-id: ${service}
spec:
  # replicas is set per environment in overlays/<env>/kustomization.yaml
  selector:
    matchLabels:
      app.kubernetes.io/name: ${service}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${service}
        backstage.io/kubernetes-id: ${service}
    spec:
      containers:
        - name: ${service}
          # tag is overridden per environment by the overlay's images: entry
          image: ${imageOf(service)}:v1.0.0
          ports:
            - name: http
              containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 250m
              memory: 256Mi
`;
  return {
    'kustomization.yaml': kustomization,
    'deployment.yaml': deploymentYaml,
  };
}

function overlayFiles(service, env, tag, replicas) {
  const prod = env === 'prod';
  const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization

namespace: ${service}-${env}

resources:
  - ../../base${prod ? '\n  - hpa.yaml' : ''}

images:
  - name: ${imageOf(service)}
    newTag: ${tag} # updated by CI on promotion

replicas:
  - name: ${service}
    count: ${replicas}

patches:
  - target:
      kind: Deployment
      name: ${service}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: ${service}
      spec:
        template:
          spec:
            containers:
              - name: ${service}
                resources:
                  requests:
                    cpu: ${prod ? '200m' : '100m'}
                    memory: ${prod ? '256Mi' : '128Mi'}
                  limits:
                    cpu: ${prod ? '500m' : '250m'}
                    memory: ${prod ? '512Mi' : '256Mi'}
`;
  if (!prod) return { 'kustomization.yaml': kustomization };
  const hpaYaml = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${service}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: ${service}
  minReplicas: ${replicas}
  maxReplicas: 10
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: 80
`;
  return { 'kustomization.yaml': kustomization, 'hpa.yaml': hpaYaml };
}

function writeAll(dir, files) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), text);
}

function catalogYaml(n) {
  const docs = [];
  for (let k = 0; k < GROUPS; k++) {
    docs.push(`apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-${k}
spec:
  type: team
  children: []
`);
  }
  for (let i = 0; i < n; i++) {
    const service = serviceName(i);
    docs.push(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${service}
  annotations:
    backstage.io/kubernetes-id: ${service}
    gitops.backstage.io/path: apps/${service}
    argocd/app-selector: app.kubernetes.io/name=${service}
spec:
  type: service
  lifecycle: production
  owner: team-${i % GROUPS}
`);
  }
  return docs.join('---\n');
}

/**
 * Writes the repository and the catalog under `root`; returns the bare repository's path, its
 * head commit and the catalog file. `replicas` is the per-environment replica count (= pods).
 */
export function generateFleet({ n, replicas, root }) {
  const work = path.join(root, 'work');
  for (let i = 0; i < n; i++) {
    const service = serviceName(i);
    const tags = tagsOf(i);
    writeAll(path.join(work, 'apps', service, 'base'), baseFiles(service));
    for (const env of ENVIRONMENTS) {
      writeAll(
        path.join(work, 'apps', service, 'overlays', env),
        overlayFiles(service, env, tags[env], replicas),
      );
    }
  }
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', `Fleet of ${n} services`);
  const revision = git(work, 'rev-parse', 'HEAD');
  const bareRepo = path.join(root, 'gitops.git');
  git(root, 'clone', '--quiet', '--bare', work, bareRepo);
  // Packed, as a Git host keeps a repository: `git add` left one loose file per object (60,000
  // at N=5000), which the backend's mirror (a local clone hardlinks them) and every push would
  // read file by file — 0.4–0.9 s per push against 70 ms packed.
  git(bareRepo, 'repack', '-a', '-d', '-q');
  git(bareRepo, 'prune');
  fs.rmSync(work, { recursive: true, force: true });
  const catalogFile = path.join(root, 'catalog.yaml');
  fs.writeFileSync(catalogFile, catalogYaml(n));
  return { bareRepo, revision, catalogFile };
}

/** Every fourth service rolls out in prod through an Argo Rollouts Rollout (`rollouts`). */
export const ROLLOUT_EVERY = 4;
/** AnalysisRuns kept per Rollout: its last rollouts' (the controller keeps a history too). */
const ANALYSIS_RUNS = 3;

/**
 * One environment's cluster: per service a Deployment and `pods` pods in `<service>-<env>`, an
 * HPA in prod, and an Argo CD Application in `argocd` (autoSync environments have an automated
 * sync policy, as the backend's config expects). With `rollouts`, every fourth service's prod
 * runs a Rollout over its Deployment (`workloadRef`) with the AnalysisRuns of its last three
 * rollouts; every twentieth is paused at 50 %, waiting for a promotion.
 */
export function clusterObjects({
  env,
  n,
  pods,
  revision,
  repoUrl,
  autoSync,
  rollouts = true,
}) {
  const objects = [];
  let resourceVersion = 1000;
  for (let i = 0; i < n; i++) {
    const service = serviceName(i);
    const image = `${imageOf(service)}:${tagsOf(i)[env]}`;
    const rolledOut = rollouts && env === 'prod' && i % ROLLOUT_EVERY === 0;
    objects.push(
      deployment({
        service,
        env,
        image,
        replicas: rolledOut ? 0 : pods,
        resourceVersion: ++resourceVersion,
      }),
    );
    for (let p = 0; p < pods; p++) {
      const object = pod({
        service,
        env,
        image,
        index: p,
        resourceVersion: ++resourceVersion,
      });
      if (rolledOut) {
        object.metadata.labels['rollouts-pod-template-hash'] =
          stableHash(service);
      }
      objects.push(object);
    }
    if (rolledOut) {
      objects.push(
        rollout({
          service,
          replicas: pods,
          paused: i % (ROLLOUT_EVERY * 5) === 0,
          resourceVersion: ++resourceVersion,
        }),
        ...analysisRuns({
          service,
          count: ANALYSIS_RUNS,
          resourceVersion: (resourceVersion += ANALYSIS_RUNS),
        }),
      );
    }
    if (env === 'prod') {
      objects.push(
        hpa({
          service,
          env,
          minReplicas: pods,
          resourceVersion: ++resourceVersion,
          ...(rolledOut
            ? {
                target: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
              }
            : {}),
        }),
      );
    }
    objects.push(
      application({
        service,
        env,
        revision,
        repoUrl,
        autoSync,
        resourceVersion: ++resourceVersion,
      }),
    );
  }
  return objects;
}
