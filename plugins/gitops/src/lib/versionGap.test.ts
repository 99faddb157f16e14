import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { describeVersionGap, versionGap } from './versionGap';

const env = (
  desired: Record<string, unknown> | null,
  newer: string[] | null = null,
  chartVersion: string | null = null,
): EnvironmentStatus =>
  ({
    name: 'x',
    desired: desired && { tag: null, digest: null, ...desired },
    registry: newer && { latest: newer[0] ?? null, newer },
    sync: { chartVersion },
  } as any);

describe('versionGap', () => {
  it.each([
    {
      name: 'same tag',
      lane: env({ tag: 'v1.0.5' }),
      before: env({ tag: 'v1.0.5' }),
      says: 'same version as staging',
    },
    {
      name: 'behind by the registry count (newest first)',
      lane: env({ tag: 'v1.0.3' }, ['v1.0.6', 'v1.0.5', 'v1.0.4']),
      before: env({ tag: 'v1.0.5' }, ['v1.0.6']),
      says: '2 versions behind staging (v1.0.5)',
    },
    {
      name: 'one version behind',
      lane: env({ tag: 'v1.0.4' }, ['v1.0.5']),
      before: env({ tag: 'v1.0.5' }, []),
      says: '1 version behind staging (v1.0.5)',
    },
    {
      name: 'ahead (a hotfix went straight to this environment)',
      lane: env({ tag: 'v1.0.6' }, []),
      before: env({ tag: 'v1.0.5' }, ['v1.0.6']),
      says: '1 version ahead of staging (v1.0.5)',
    },
    {
      name: 'no registry: only that they differ',
      lane: env({ tag: 'v1.0.3' }),
      before: env({ tag: 'v1.0.5' }),
      says: 'differs from staging (v1.0.5)',
    },
    {
      name: 'digests',
      lane: env({ digest: 'sha256:aaa' }),
      before: env({ digest: 'sha256:bbb' }),
      says: 'differs from staging (sha256:bbb)',
    },
    {
      name: 'chart pins, the registry listing chart versions',
      lane: env(
        { chart: { name: 'podinfo', version: '6.8.0', range: false } },
        ['6.9.0'],
      ),
      before: env(
        { chart: { name: 'podinfo', version: '>=6.0.0', range: true } },
        [],
        '6.9.0',
      ),
      says: '1 version behind staging (6.9.0)',
    },
    {
      name: 'no desired state before',
      lane: env({ tag: 'v1' }),
      before: env(null),
      says: undefined,
    },
  ])('$name', ({ lane, before, says }) => {
    expect(describeVersionGap(versionGap(lane, before), 'staging')).toBe(says);
  });
});
