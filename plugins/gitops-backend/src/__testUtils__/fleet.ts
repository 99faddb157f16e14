import { Entity } from '@backstage/catalog-model';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { healthyArgoService } from '../service/live/__fixtures__/clusterObjects';
import { mergeSnapshots, shiftTimes } from './clusterSnapshots';

/** The environments of a generated fleet, each on a cluster of its own. */
export const FLEET_ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/**
 * A bare repository of `count` services (`apps/svc-<i>`: Kustomize base + one overlay per
 * environment), one commit. Returns the bare repository's path.
 */
export function createFleetRepo(dir: string, count: number): string {
  for (let i = 0; i < count; i++) {
    const service = `svc-${i}`;
    const base = path.join(dir, 'apps', service, 'base');
    fs.mkdirSync(base, { recursive: true });
    fs.writeFileSync(
      path.join(base, 'kustomization.yaml'),
      'resources:\n  - deployment.yaml\n',
    );
    fs.writeFileSync(
      path.join(base, 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${service}`,
        'spec:',
        '  replicas: 1',
        '  selector:',
        '    matchLabels:',
        `      app.kubernetes.io/name: ${service}`,
        '  template:',
        '    metadata:',
        '      labels:',
        `        app.kubernetes.io/name: ${service}`,
        '    spec:',
        '      containers:',
        `        - name: ${service}`,
        `          image: ghcr.io/acme/${service}:v1.0.0`,
        '',
      ].join('\n'),
    );
    for (const env of FLEET_ENVIRONMENTS) {
      const overlay = path.join(dir, 'apps', service, 'overlays', env);
      fs.mkdirSync(overlay, { recursive: true });
      fs.writeFileSync(
        path.join(overlay, 'kustomization.yaml'),
        [
          `namespace: ${service}-${env}`,
          'resources:',
          '  - ../../base',
          'images:',
          `  - name: ghcr.io/acme/${service}`,
          `    newTag: ${fleetTag(env)}`,
          'replicas:',
          `  - name: ${service}`,
          '    count: 2',
          '',
        ].join('\n'),
      );
    }
  }
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git(
    '-c',
    'user.name=fleet',
    '-c',
    'user.email=fleet@example.com',
    'commit',
    '-q',
    '-m',
    'fleet',
  );
  execFileSync('git', ['clone', '-q', '--bare', dir, `${dir}.git`]);
  return `${dir}.git`;
}

export function fleetTag(env: string) {
  return env === 'dev' ? 'v1.0.5' : 'v1.0.3';
}

/** The catalog Component of fleet service `i`, owned by one of 20 teams. */
export function fleetEntity(i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${i}`,
      namespace: 'default',
      annotations: {
        'backstage.io/kubernetes-id': `svc-${i}`,
        'argocd/app-selector': `app.kubernetes.io/name=svc-${i}`,
        'gitops.backstage.io/path': `apps/svc-${i}`,
      },
    },
    spec: { type: 'service', owner: `team-${i % 20}`, lifecycle: 'production' },
  };
}

/**
 * What one environment's cluster holds for `count` healthy services (Deployment, 2 pods, the
 * Argo CD Application), dated now.
 */
export function fleetClusterObjects(env: string, count: number) {
  const template = JSON.stringify(
    healthyArgoService({
      service: 'guestbook',
      env,
      tag: fleetTag(env),
      replicas: 2,
    }),
  );
  const snapshots = Array.from({ length: count }, (_, i) =>
    JSON.parse(template.split('guestbook').join(`svc-${i}`)),
  );
  return shiftTimes(mergeSnapshots(...snapshots)) as Record<string, any[]>;
}
