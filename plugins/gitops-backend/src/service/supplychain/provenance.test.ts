import { normalizeRepository, parseProvenance } from './provenance';

const SHA = '4f3a2c1d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a49';

/** `actions/attest-build-provenance` (SLSA v1, GitHub Actions build type). */
const githubV1 = {
  buildDefinition: {
    buildType:
      'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
    externalParameters: {
      workflow: {
        ref: 'refs/heads/main',
        repository: 'https://github.com/acme/payments',
        path: '.github/workflows/release.yml',
      },
    },
    internalParameters: {
      github: {
        event_name: 'push',
        repository_id: '712345678',
        repository_owner_id: '1234567',
        runner_environment: 'github-hosted',
      },
    },
    resolvedDependencies: [
      {
        uri: 'git+https://github.com/acme/payments@refs/heads/main',
        digest: { gitCommit: SHA },
      },
    ],
  },
  runDetails: {
    builder: { id: 'https://github.com/actions/runner/github-hosted' },
    metadata: {
      invocationId:
        'https://github.com/acme/payments/actions/runs/9012345678/attempts/1',
    },
  },
};

/** slsa-github-generator's container generator (SLSA v0.2). */
const generatorV02 = {
  builder: {
    id: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0',
  },
  buildType:
    'https://github.com/slsa-framework/slsa-github-generator/container@v1',
  invocation: {
    configSource: {
      uri: 'git+https://github.com/acme/payments@refs/tags/v1.4.2',
      digest: { sha1: SHA },
      entryPoint: '.github/workflows/release.yml',
    },
    parameters: {},
    environment: { github_event_name: 'push' },
  },
  metadata: {
    buildInvocationID: '9012345678-1',
    completeness: { parameters: true, environment: false, materials: false },
    reproducible: false,
  },
  materials: [
    {
      uri: 'git+https://github.com/acme/payments@refs/tags/v1.4.2',
      digest: { sha1: SHA },
    },
  ],
};

/** BuildKit's `--provenance=mode=max` (v0.2), built from a Git context. */
const buildkitV02 = {
  builder: { id: '' },
  buildType: 'https://mobyproject.org/buildkit@v1',
  materials: [
    {
      uri: 'pkg:docker/python@3.12-slim?platform=linux%2Famd64',
      digest: {
        sha256:
          'a3e58f9399353be051735f09be0316bfdeab571a5c6a24fd78b92df85bcb2d85',
      },
    },
  ],
  invocation: {
    configSource: { entryPoint: 'Dockerfile' },
    parameters: { frontend: 'dockerfile.v0' },
  },
  metadata: {
    buildInvocationID: 'q8x2l1ws1k0w',
    'https://mobyproject.org/buildkit@v1#metadata': {
      vcs: { source: 'https://github.com/acme/payments.git', revision: SHA },
    },
  },
};

/** BuildKit's SLSA v1 provenance (`--provenance=mode=max,version=v1`). */
const buildkitV1 = {
  buildDefinition: {
    buildType:
      'https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md',
    externalParameters: {
      configSource: {
        uri: 'https://github.com/acme/payments.git#refs/heads/main',
        digest: { sha1: SHA },
        path: 'Dockerfile',
      },
      request: { frontend: 'dockerfile.v0' },
    },
    resolvedDependencies: [
      {
        uri: 'pkg:docker/python@3.12-slim?platform=linux%2Famd64',
        digest: { sha256: 'a3e58f93' },
      },
    ],
  },
  runDetails: {
    builder: { id: 'https://github.com/acme/payments/actions/runs/1' },
    metadata: { invocationID: 'q8x2l1ws1k0w' },
  },
};

describe('parseProvenance', () => {
  it.each([
    [
      'GitHub attest-build-provenance (v1)',
      'https://slsa.dev/provenance/v1',
      githubV1,
      {
        builder: 'https://github.com/actions/runner/github-hosted',
        sourceRepository: 'https://github.com/acme/payments',
        sourceRevision: SHA,
      },
    ],
    [
      'slsa-github-generator (v0.2)',
      'https://slsa.dev/provenance/v0.2',
      generatorV02,
      {
        builder:
          'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0',
        sourceRepository: 'https://github.com/acme/payments',
        sourceRevision: SHA,
      },
    ],
    [
      'BuildKit (v0.2, source from its vcs metadata)',
      'https://slsa.dev/provenance/v0.2',
      buildkitV02,
      {
        builder: null,
        sourceRepository: 'https://github.com/acme/payments',
        sourceRevision: SHA,
      },
    ],
    [
      'BuildKit (v1)',
      'https://slsa.dev/provenance/v1',
      buildkitV1,
      {
        builder: 'https://github.com/acme/payments/actions/runs/1',
        sourceRepository: 'https://github.com/acme/payments',
        sourceRevision: SHA,
      },
    ],
    [
      'an empty predicate',
      'https://slsa.dev/provenance/v1',
      {},
      { builder: null, sourceRepository: null, sourceRevision: null },
    ],
  ])('%s', (_name, predicateType, predicate, expected) => {
    expect(parseProvenance(predicateType, predicate)).toEqual({
      ...expected,
      predicateType,
    });
  });

  it('is null for a predicate that is not an object', () => {
    expect(parseProvenance('https://slsa.dev/provenance/v1', 'x')).toBeNull();
    expect(parseProvenance('https://slsa.dev/provenance/v1', null)).toBeNull();
  });
});

describe('normalizeRepository', () => {
  it.each([
    [
      'git+https://github.com/acme/payments@refs/heads/main',
      'https://github.com/acme/payments',
    ],
    [
      'https://github.com/acme/payments.git#main',
      'https://github.com/acme/payments',
    ],
    ['https://github.com/acme/payments/', 'https://github.com/acme/payments'],
    [
      'ssh://git@github.com/acme/payments.git',
      'ssh://git@github.com/acme/payments',
    ],
    ['', null],
  ])('%s', (uri, expected) => {
    expect(normalizeRepository(uri)).toBe(expected);
  });
});
