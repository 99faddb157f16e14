import { OciRegistryClient } from '../registry/OciRegistryClient';
import { SourceRevisionReader, sourceRevisionOf } from './SourceRevisionReader';

const S = 'org.opencontainers.image.source';
const R = 'org.opencontainers.image.revision';
const SHA = 'abcdef0123456789abcdef0123456789abcdef01';
const found = (
  annotations: Record<string, string> = {},
  labels: Record<string, string> = {},
  chart: {
    appVersion: string | null;
    annotations: Record<string, string>;
    sources: string[];
  } | null = null,
) => ({ annotations, labels, chart });

describe('sourceRevisionOf', () => {
  const what = 'ghcr.io/acme/app:v1';
  it.each([
    [
      'manifest annotations',
      found({ [S]: 'https://github.com/acme/app', [R]: SHA }),
      { source: 'https://github.com/acme/app', revision: SHA },
    ],
    [
      'config labels (docker buildx)',
      found({}, { [S]: 'https://github.com/acme/app.git', [R]: SHA }),
      { source: 'https://github.com/acme/app', revision: SHA },
    ],
    [
      'annotations before labels',
      found(
        { [S]: 'https://github.com/acme/a', [R]: SHA },
        { [S]: 'https://github.com/acme/b', [R]: SHA },
      ),
      { source: 'https://github.com/acme/a', revision: SHA },
    ],
    [
      'a Flux-style revision',
      found({ [S]: 'git@github.com:acme/app.git', [R]: `main@sha1:${SHA}` }),
      { source: 'https://github.com/acme/app', revision: SHA },
    ],
    [
      "a chart's annotations and sources",
      found(
        {},
        {},
        {
          appVersion: null,
          annotations: { [R]: SHA },
          sources: ['https://github.com/acme/app'],
        },
      ),
      { source: 'https://github.com/acme/app', revision: SHA },
    ],
    [
      'nothing at all',
      found(),
      { unknown: `${what} has no ${S} or ${R} annotation or label` },
    ],
    [
      'a revision without source',
      found({ [R]: SHA }),
      { unknown: `${what} has no ${S} annotation or label` },
    ],
    [
      'a source without revision',
      found({}, { [S]: 'https://github.com/acme/app' }),
      {
        unknown: `${what} names its source but has no ${R} annotation or label`,
      },
    ],
    [
      'a source that is no URL',
      found({ [S]: 'file:///srv/app', [R]: SHA }),
      {
        unknown: `${what}: source "file:///srv/app" is not an http(s), ssh or git@ repository URL`,
      },
    ],
    [
      'a revision that is no sha',
      found({ [S]: 'https://github.com/acme/app', [R]: 'main' }),
      { unknown: `${what}: revision "main" is not a commit sha` },
    ],
  ])('reads %s', (_, input, expected) => {
    expect(sourceRevisionOf(input, what)).toEqual(expected);
  });
});

describe('SourceRevisionReader', () => {
  function reader(answers: Record<string, ReturnType<typeof found> | null>) {
    const asked: string[] = [];
    const registry = {
      serves: (ref: { host: string }) => ref.host === 'ghcr.io',
      getAnnotations: async (
        ref: { host: string; repository: string },
        reference: string,
      ) => {
        const key = `${ref.host}/${ref.repository}@${reference}`;
        asked.push(key);
        return answers[key] === undefined
          ? null
          : { digest: 'sha256:x', ...answers[key]! };
      },
    } as unknown as OciRegistryClient;
    return { reader: new SourceRevisionReader(registry), asked };
  }

  it('reads an image at a tag, and says which versions are not in the registry', async () => {
    const { reader: r } = reader({
      'ghcr.io/acme/app@v1': found({
        [S]: 'https://github.com/acme/app',
        [R]: SHA,
      }),
    });
    expect(
      await r.read({ image: 'ghcr.io/acme/app', reference: 'v1' }),
    ).toEqual({ source: 'https://github.com/acme/app', revision: SHA });
    expect(
      await r.read({ image: 'ghcr.io/acme/app', reference: 'v2' }),
    ).toEqual({ unknown: 'ghcr.io/acme/app:v2 is not in the registry' });
  });

  it('never asks a registry that is not configured', async () => {
    const { reader: r, asked } = reader({});
    expect(
      await r.read({ image: 'evil.example.net/x', reference: 'sha256:abc' }),
    ).toEqual({
      unknown:
        'evil.example.net/x@sha256:abc: registry evil.example.net is not in gitops.registries',
    });
    expect(asked).toEqual([]);
  });

  it('reads an OCI chart, and the image at its appVersion when the chart names no revision', async () => {
    const { reader: r, asked } = reader({
      'ghcr.io/acme/charts/app@1.2.0_build.1': found(
        {},
        {},
        {
          appVersion: 'v1.0.5',
          annotations: {},
          sources: ['https://github.com/acme/app'],
        },
      ),
      'ghcr.io/acme/app@v1.0.5': found(
        {},
        { [S]: 'https://github.com/acme/app', [R]: SHA },
      ),
    });
    const chart = {
      name: 'app',
      source: { kind: 'HelmRepository', url: 'oci://ghcr.io/acme/charts' },
    };
    expect(
      await r.read({
        image: 'ghcr.io/acme/app',
        reference: '1.2.0+build.1',
        chart,
      }),
    ).toEqual({ source: 'https://github.com/acme/app', revision: SHA });
    expect(asked).toEqual([
      'ghcr.io/acme/charts/app@1.2.0_build.1',
      'ghcr.io/acme/app@v1.0.5',
    ]);
    expect(
      await r.read({
        image: null,
        reference: '1.0.0',
        chart: {
          name: 'app',
          source: { kind: 'HelmRepository', url: 'https://charts.example.com' },
        },
      }),
    ).toEqual({
      unknown:
        'chart app 1.0.0: annotations are read from OCI chart repositories only',
    });
  });
});
