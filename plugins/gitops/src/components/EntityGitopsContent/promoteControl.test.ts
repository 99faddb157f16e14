import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { promoteControl } from './promoteControl';

const env = (
  name: string,
  desired: Partial<NonNullable<EnvironmentStatus['desired']>> | null,
  error: string | null = null,
): EnvironmentStatus =>
  ({
    name,
    desired: desired && {
      tag: null,
      digest: null,
      chart: null,
      imageSource: 'git',
      ...desired,
    },
    error,
    live: null,
    sync: null,
    drift: [],
    problems: [],
    registry: null,
  } as unknown as EnvironmentStatus);

describe('promoteControl', () => {
  it.each([
    [
      'a newer tag',
      env('dev', { tag: 'v1.0.5' }),
      env('staging', { tag: 'v1.0.4' }),
      'Promote v1.0.5 →',
      'Promote v1.0.5 from dev to staging',
      undefined,
    ],
    [
      'the same tag',
      env('staging', { tag: 'v1.0.5' }),
      env('prod', { tag: 'v1.0.5' }),
      'Promote v1.0.5 →',
      'Promote v1.0.5 from staging to prod',
      'prod already asks for v1.0.5',
    ],
    [
      'a tag pinned to a digest',
      env('dev', { tag: 'v2', digest: `sha256:${'a'.repeat(64)}` }),
      env('staging', { tag: 'v1' }),
      'Promote v2@sha256:aaaaaaaa… →',
      'Promote v2@sha256:aaaaaaaa… from dev to staging',
      undefined,
    ],
    [
      'a source that could not be read',
      env('dev', null, 'git cat-file failed'),
      env('staging', { tag: 'v1' }),
      'Promote →',
      'Promote dev to staging',
      'dev could not be read: git cat-file failed',
    ],
    [
      'a source with no version in Git',
      env('dev', {}),
      env('staging', { tag: 'v1' }),
      'Promote →',
      'Promote dev to staging',
      'dev names no version in Git',
    ],
  ])('%s', (_, from, to, label, ariaLabel, nothingToPromote) => {
    expect(promoteControl(from, to)).toEqual({
      label,
      ariaLabel,
      ...(nothingToPromote ? { nothingToPromote } : {}),
    });
  });
});
