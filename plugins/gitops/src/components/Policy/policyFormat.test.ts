import {
  blockingGates,
  freezeSentence,
  gateState,
  localTime,
  versionLabel,
} from './policyFormat';

describe('policy formatting', () => {
  // Built from local parts, so the expectations hold in every time zone.
  const monday9Dec = new Date(2024, 11, 9, 9, 0).toISOString();
  const now2024 = new Date(2024, 11, 3, 12, 0).getTime();

  it('says a time the way a calendar does, in the local time zone', () => {
    expect(localTime(monday9Dec, now2024)).toBe('Mon 9 Dec 09:00');
    expect(localTime(new Date(2025, 0, 2, 17, 5).toISOString(), now2024)).toBe(
      'Thu 2 Jan 2025 17:05',
    );
    expect(localTime('not a time', now2024)).toBe('not a time');
  });

  it('says which environments a freeze covers, until when, why and by whom', () => {
    const freeze = {
      reason: 'year-end freeze',
      until: monday9Dec,
      by: 'user:default/alice',
    };
    expect(freezeSentence(['prod'], freeze, now2024)).toBe(
      'prod is frozen until Mon 9 Dec 09:00: year-end freeze, set by user:default/alice',
    );
    expect(freezeSentence(['dev', 'staging', 'prod'], freeze, now2024)).toBe(
      'dev, staging and prod are frozen until Mon 9 Dec 09:00: year-end freeze, set by user:default/alice',
    );
    expect(freezeSentence('*', freeze, now2024)).toMatch(
      /^Every environment is frozen until/,
    );
  });

  it('reads the state of gates written before `state` from `passed`', () => {
    const old = { name: 'soak', passed: false, message: '' } as any;
    expect(gateState(old)).toBe('fail');
    expect(gateState({ ...old, passed: true })).toBe('pass');
    expect(gateState({ ...old, state: 'wait' })).toBe('wait');
    expect(
      blockingGates([{ ...old, passed: true }, old]).map(g => g.passed),
    ).toEqual([false]);
  });

  it('names a version by its tag, chart version or digest', () => {
    expect(versionLabel({ tag: 'v1.0.5', digest: null })).toBe('v1.0.5');
    expect(
      versionLabel({ tag: null, digest: null, chartVersion: '1.2.3' }),
    ).toBe('1.2.3');
    expect(
      versionLabel({ tag: null, digest: `sha256:${'a'.repeat(64)}` }),
    ).toBe('sha256:aaaaaaaaaaaa');
    expect(versionLabel(null)).toBe('no version');
  });
});
