import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { environmentStatus } from '../../__testUtils__/environmentStatus';
import { desiredVersion, formatVersion, runsVersion } from './gates';

describe('runsVersion', () => {
  it.each<[string[], string | null, string | null, boolean]>([
    [['ghcr.io/acme/guestbook:v1.0.5'], 'v1.0.5', null, true],
    [['ghcr.io/acme/guestbook:v1.0.50'], 'v1.0.5', null, false],
    [['ghcr.io/acme/guestbook:v1.0.5@sha256:abc'], 'v1.0.5', null, true],
    [['ghcr.io/acme/guestbook@sha256:abc'], null, 'sha256:abc', true],
    [['ghcr.io/acme/guestbook@sha256:abd'], null, 'sha256:abc', false],
    [[], 'v1.0.5', null, false],
  ])('%j runs %s/%s: %s', (images, tag, digest, expected) => {
    const status = environmentStatus({ images });
    expect(runsVersion(status, { tag, digest })).toBe(expected);
  });
});

describe('the version of an environment whose image is the chart default', () => {
  const status = (
    chart: { version: string; range: boolean },
    installed: string | null,
  ): EnvironmentStatus => {
    const base = environmentStatus({ tag: null });
    return {
      ...base,
      desired: {
        ...base.desired!,
        layout: 'helm',
        image: null,
        imageSource: 'chartDefaults',
        chart: { name: 'podinfo', ...chart },
      },
      sync: { ...base.sync!, chartVersion: installed },
    };
  };

  it.each([
    {
      name: 'a pinned chart is its version',
      chart: { version: '6.7.0', range: false },
      installed: '6.7.0',
      expected: { tag: null, digest: null, chartVersion: '6.7.0' },
    },
    {
      name: 'a range is the version the cluster installed',
      chart: { version: '>=6.0.0', range: true },
      installed: '6.9.0',
      expected: { tag: null, digest: null, chartVersion: '6.9.0' },
    },
    {
      name: 'a range the cluster does not report has no version',
      chart: { version: '>=6.0.0', range: true },
      installed: null,
      expected: null,
    },
  ])('$name', ({ chart, installed, expected }) => {
    expect(desiredVersion(status(chart, installed))).toEqual(expected);
  });

  it('runs the version when the cluster installed that chart', () => {
    const running = status({ version: '>=6.0.0', range: true }, '6.9.0');
    const version = { tag: null, digest: null, chartVersion: '6.9.0' };
    expect(runsVersion(running, version)).toBe(true);
    expect(runsVersion(running, { ...version, chartVersion: '6.9.1' })).toBe(
      false,
    );
    expect(formatVersion(version)).toBe('chart 6.9.0');
  });
});
