import { ManifestCheckFinding } from '@gitops-backstage/plugin-gitops-common';
import { checkManifest } from './manifestChecks';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** A container with everything the checks look for. */
function container(overrides: Record<string, any> = {}) {
  return {
    name: 'app',
    image: `ghcr.io/acme/app:1.2.3@${DIGEST}`,
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    securityContext: { readOnlyRootFilesystem: true },
    ...overrides,
  };
}

const prod = { environment: 'prod', requireDigest: true };
const dev = { environment: 'dev', requireDigest: false };

describe('checkManifest', () => {
  it('finds nothing in a pinned, sized, probed, read-only container', () => {
    expect(checkManifest({ containers: [container()] }, prod)).toEqual([]);
  });

  it.each<
    [
      string,
      Record<string, any>,
      typeof prod,
      Array<Partial<ManifestCheckFinding>>,
    ]
  >([
    [
      'a tag without a digest where digests are required',
      { image: 'ghcr.io/acme/app:1.2.3' },
      prod,
      [
        {
          check: 'digestPinned',
          severity: 'fail',
          message:
            'container app: image ghcr.io/acme/app:1.2.3 is not pinned by digest (prod requires it)',
        },
      ],
    ],
    [
      'a tag without a digest elsewhere',
      { image: 'ghcr.io/acme/app:1.2.3' },
      dev,
      [
        {
          check: 'digestPinned',
          severity: 'warn',
          message:
            'container app: image ghcr.io/acme/app:1.2.3 is not pinned by digest',
        },
      ],
    ],
    [
      'latest',
      { image: 'ghcr.io/acme/app:latest' },
      dev,
      [
        { check: 'digestPinned', severity: 'warn' },
        {
          check: 'noLatestTag',
          severity: 'fail',
          message:
            'container app: image ghcr.io/acme/app:latest uses the latest tag: the version is not in Git',
        },
      ],
    ],
    [
      'no tag at all (a registry port is not a tag)',
      { image: 'localhost:5000/app' },
      dev,
      [
        { check: 'digestPinned', severity: 'warn' },
        { check: 'noLatestTag', severity: 'fail' },
      ],
    ],
    [
      'latest pinned by digest (the digest decides)',
      { image: `ghcr.io/acme/app:latest@${DIGEST}` },
      prod,
      [],
    ],
    [
      'a digest without a tag',
      { image: `ghcr.io/acme/app@${DIGEST}` },
      prod,
      [],
    ],
    [
      'no resources',
      { resources: undefined },
      prod,
      [
        {
          check: 'resourcesSet',
          severity: 'warn',
          message:
            'container app: resources requests.cpu, requests.memory, limits.cpu, limits.memory not set',
        },
      ],
    ],
    [
      'requests without a memory limit',
      {
        resources: {
          requests: { cpu: '100m', memory: '128Mi' },
          limits: { cpu: '1' },
        },
      },
      prod,
      [
        {
          check: 'resourcesSet',
          message: 'container app: resources limits.memory not set',
        },
      ],
    ],
    [
      'no probes',
      { readinessProbe: undefined, livenessProbe: undefined },
      prod,
      [
        {
          check: 'probesSet',
          severity: 'warn',
          message: 'container app: no readinessProbe or livenessProbe',
        },
      ],
    ],
    [
      'only a readiness probe',
      { livenessProbe: undefined },
      prod,
      [{ check: 'probesSet', message: 'container app: no livenessProbe' }],
    ],
    [
      'a writable root filesystem',
      { securityContext: {} },
      prod,
      [
        {
          check: 'podSecurity',
          severity: 'warn',
          message: 'container app: readOnlyRootFilesystem is not true',
        },
      ],
    ],
  ])('reports %s', (_what, overrides, options, expected) => {
    const findings = checkManifest(
      { containers: [container(overrides)] },
      options,
    );
    expect(findings).toEqual(
      expected.map(e => expect.objectContaining({ container: 'app', ...e })),
    );
  });

  it("checks init containers' images but not their probes or resources", () => {
    expect(
      checkManifest(
        {
          initContainers: [{ name: 'migrate', image: 'ghcr.io/acme/migrate' }],
          containers: [container()],
        },
        prod,
      ),
    ).toEqual([
      expect.objectContaining({
        check: 'digestPinned',
        severity: 'fail',
        container: 'migrate',
      }),
      expect.objectContaining({ check: 'noLatestTag', container: 'migrate' }),
    ]);
  });

  it('names each container of a pod with sidecars', () => {
    const findings = checkManifest(
      {
        containers: [
          container(),
          container({ name: 'proxy', livenessProbe: undefined }),
        ],
      },
      prod,
    );
    expect(findings).toEqual([
      {
        check: 'probesSet',
        severity: 'warn',
        container: 'proxy',
        message: 'container proxy: no livenessProbe',
      },
    ]);
  });
});
