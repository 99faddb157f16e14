import { MessageSubject, actionIdOf, commitMessage } from './commitMessage';

const ID = '6f1c2f8e-1111-4000-8000-000000000001';

describe('commitMessage', () => {
  it.each<[string, MessageSubject, string]>([
    [
      'staging',
      {
        action: 'promote',
        from: 'dev',
        before: { tag: 'v1.0.4', digest: null },
        after: { tag: 'v1.0.5', digest: null },
      },
      'promote(staging): guestbook v1.0.4 → v1.0.5 (from dev)',
    ],
    [
      'prod',
      {
        action: 'promote',
        from: 'staging',
        before: { tag: null, digest: `sha256:${'a'.repeat(64)}` },
        after: { tag: null, digest: `sha256:${'b'.repeat(64)}` },
      },
      'promote(prod): guestbook sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb (from staging)',
    ],
    [
      'prod',
      {
        action: 'rollback',
        before: { tag: 'v1.0.5', digest: null },
        after: { tag: 'v1.0.4', digest: null },
        to: '0d46b8b',
      },
      'rollback(prod): guestbook v1.0.5 → v1.0.4 (to 0d46b8b)',
    ],
    [
      'prod',
      {
        action: 'scale',
        before: { replicas: 3, minReplicas: null, maxReplicas: null },
        after: { replicas: 5, minReplicas: null, maxReplicas: null },
      },
      'scale(prod): guestbook replicas 3 → 5',
    ],
    [
      'prod',
      {
        action: 'scale',
        before: { replicas: null, minReplicas: 3, maxReplicas: 10 },
        after: { replicas: null, minReplicas: null, maxReplicas: 12 },
      },
      'scale(prod): guestbook autoscaling 3–10 → 3–12',
    ],
  ])('%s: %s', (environment, subject, summary) => {
    const message = commitMessage({
      service: 'guestbook',
      environment,
      subject,
      actor: { name: 'Alice', ref: 'user:default/alice' },
      actionId: ID,
    });
    expect(message).toBe(
      `${summary}\n\nRequested-by: Alice <user:default/alice>\nGitops-Action-Id: ${ID}\n`,
    );
    expect(actionIdOf(message)).toBe(ID);
  });

  it('finds no id in other commits', () => {
    expect(actionIdOf('chore: bump\n\nGitops-Action-Id: nope')).toBeNull();
  });
});
