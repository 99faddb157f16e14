import { HistoryItem } from '@gitops-backstage/plugin-gitops-common';
import { versionArrival, versionForTarget } from './versionLookup';

const item = (
  committedAt: string,
  tag: string,
  changes: HistoryItem['changes'] = ['version'],
): HistoryItem => ({
  revision: committedAt,
  author: 'ci',
  message: '',
  committedAt,
  tag,
  digest: null,
  replicas: 1,
  autoscaling: null,
  changes,
  promotionId: null,
});

describe('versionArrival', () => {
  it.each<[string, HistoryItem[], string | null]>([
    [
      'the commit that brought it',
      [item('2026-11-25T10:00:00Z', 'v2'), item('2026-11-24T10:00:00Z', 'v1')],
      '2026-11-25T10:00:00.000Z',
    ],
    [
      'skipping later scaling-only commits',
      [
        item('2026-11-25T12:00:00Z', 'v2', ['scaling']),
        item('2026-11-25T10:00:00Z', 'v2'),
        item('2026-11-24T10:00:00Z', 'v1'),
      ],
      '2026-11-25T10:00:00.000Z',
    ],
    [
      'the oldest of a run that kept it (a re-commit does not restart the soak)',
      [
        item('2026-11-25T12:00:00Z', 'v2'),
        item('2026-11-25T10:00:00Z', 'v2'),
        item('2026-11-24T10:00:00Z', 'v1'),
      ],
      '2026-11-25T10:00:00.000Z',
    ],
    [
      'nothing when the newest version commit is another version',
      [item('2026-11-25T10:00:00Z', 'v3')],
      null,
    ],
    ['nothing without history', [], null],
  ])('%s', (_name, items, expected) => {
    expect(
      versionArrival(items, { tag: 'v2', digest: null })?.toISOString() ?? null,
    ).toBe(expected);
  });
});

describe('versionForTarget', () => {
  const state = (tag: string | null, digest: string | null) =>
    ({
      image: 'ghcr.io/acme/web',
      tag,
      digest,
      source: { path: 'apps/web/overlays/prod' },
    } as any);
  const digest = `sha256:${'a'.repeat(64)}`;

  it('keeps a tag for an environment that uses tags', async () => {
    const resolve = jest.fn();
    expect(
      await versionForTarget(
        state('v1', null),
        { tag: 'v2', digest: null },
        resolve,
      ),
    ).toEqual({ tag: 'v2', digest: null });
    expect(resolve).not.toHaveBeenCalled();
  });

  it('turns a tag into a digest for an environment that pins digests', async () => {
    const resolve = jest.fn(async () => digest);
    expect(
      await versionForTarget(
        state(null, `sha256:${'b'.repeat(64)}`),
        { tag: 'v2', digest: null },
        resolve,
      ),
    ).toEqual({ tag: null, digest });
    expect(resolve).toHaveBeenCalledWith('ghcr.io/acme/web', 'v2', undefined);
  });

  it('refuses when the registry does not know the tag', async () => {
    await expect(
      versionForTarget(
        state(null, `sha256:${'b'.repeat(64)}`),
        { tag: 'v9', digest: null },
        async () => null,
      ),
    ).rejects.toThrow(
      'apps/web/overlays/prod pins ghcr.io/acme/web by digest, and the digest of v9 is unknown',
    );
  });
});
