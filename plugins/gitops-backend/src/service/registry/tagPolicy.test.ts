import {
  detectTagPolicy,
  newerTags,
  orderTags,
  parseTagPolicy,
} from './tagPolicy';

describe('orderTags', () => {
  it.each<[string, string[], string, string[]]>([
    [
      'semver with and without v, moving and malformed tags left out',
      [
        'v1.0.10',
        'latest',
        'v1.0.2',
        '1.0.3',
        'v1.0.3-rc.1',
        'v1.x',
        'main',
        'v1.0.9',
      ],
      'semver',
      ['v1.0.2', '1.0.3', 'v1.0.9', 'v1.0.10'],
    ],
    [
      'semver with pre-releases before their release',
      ['v2.0.0', 'v2.0.0-rc.2', 'v2.0.0-rc.10', 'v1.9.0', 'v2.0.0-beta.1'],
      'semver-prerelease',
      ['v1.9.0', 'v2.0.0-beta.1', 'v2.0.0-rc.2', 'v2.0.0-rc.10', 'v2.0.0'],
    ],
    [
      '{sha}-{run} by run number, not by sha',
      [
        '9f8e7d6-42',
        '0a1b2c3-38',
        'ffffff0-9',
        '5c4b3a2-40',
        'not-a-build',
        'latest',
      ],
      'sha-run',
      ['ffffff0-9', '0a1b2c3-38', '5c4b3a2-40', '9f8e7d6-42'],
    ],
    [
      'main-<sha> in registry order without commit times',
      ['main-aaaaaaa', 'main-ccccccc', 'main-bbbbbbb', 'feature-x', 'main'],
      'main-sha',
      ['main-aaaaaaa', 'main-ccccccc', 'main-bbbbbbb'],
    ],
    [
      'main-<sha>-<timestamp> by its timestamp',
      [
        'main-ccccccc-20261102',
        'main-aaaaaaa-20261105',
        'main-bbbbbbb-20261101',
      ],
      'main-sha',
      [
        'main-bbbbbbb-20261101',
        'main-ccccccc-20261102',
        'main-aaaaaaa-20261105',
      ],
    ],
    [
      'regex with a numeric key',
      ['build-9', 'build-10', 'build-x', 'build-100', 'release-1'],
      'regex:^build-(?<key>\\d+)$',
      ['build-9', 'build-10', 'build-100'],
    ],
    [
      'regex with a semver key',
      ['app-1.10.0', 'app-1.9.0', 'app-one'],
      'regex:^app-(.+)$:semver',
      ['app-1.9.0', 'app-1.10.0'],
    ],
  ])('orders %s', (_name, tags, policy, expected) => {
    expect(orderTags(tags, parseTagPolicy(policy))).toEqual(expected);
  });

  it('orders main-<sha> tags by commit time when it is known', () => {
    const times = new Map([
      ['aaaaaaa', 3],
      ['bbbbbbb', 1],
      ['ccccccc', 2],
    ]);
    expect(
      orderTags(
        ['main-aaaaaaa', 'main-bbbbbbb', 'main-ccccccc'],
        parseTagPolicy('main-sha'),
        times,
      ),
    ).toEqual(['main-bbbbbbb', 'main-ccccccc', 'main-aaaaaaa']);
  });
});

describe('newerTags', () => {
  const semver = parseTagPolicy('semver');
  const ordered = orderTags(['v1.0.3', 'v1.0.4', 'v1.0.5', 'v1.0.6'], semver);
  it.each<[string, string | null, string[]]>([
    [
      'newer than the deployed tag, newest first',
      'v1.0.4',
      ['v1.0.6', 'v1.0.5'],
    ],
    ['nothing newer than the newest', 'v1.0.6', []],
    [
      'every tag when nothing is deployed',
      null,
      ['v1.0.6', 'v1.0.5', 'v1.0.4', 'v1.0.3'],
    ],
  ])('lists %s', (_name, current, expected) => {
    expect(newerTags(ordered, current, semver)).toEqual(expected);
  });

  it('compares by version when the deployed tag is gone from the registry', () => {
    const withoutDeployed = orderTags(['v1.0.3', 'v1.0.4', 'v1.0.6'], semver);
    expect(newerTags(withoutDeployed, 'v1.0.5', semver)).toEqual(['v1.0.6']);
  });

  it('lists nothing newer for an unknown main-<sha> tag rather than guessing', () => {
    const policy = parseTagPolicy('main-sha');
    expect(
      newerTags(orderTags(['main-aaaaaaa'], policy), 'main-bbbbbbb', policy),
    ).toEqual([]);
  });
});

describe('parseTagPolicy and detectTagPolicy', () => {
  it.each([
    ['bogus', /unknown tag policy "bogus"/],
    ['regex:([', /invalid regular expression/],
  ])('rejects %s with a clear message', (text, message) => {
    expect(() => parseTagPolicy(text)).toThrow(message);
  });

  it.each([
    ['v1.0.3', 'semver'],
    ['1.4.2', 'semver'],
    ['9f8e7d6-42', 'shaRun'],
    ['main-3f2a9c8', 'mainSha'],
    ['latest', null],
    ['weird_tag', null],
    [null, null],
  ])('detects the policy of %s', (tag, kind) => {
    expect(detectTagPolicy(tag)?.kind ?? null).toBe(kind);
  });
});
