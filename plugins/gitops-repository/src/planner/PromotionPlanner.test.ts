import { parseDocument } from 'yaml';
import { loadExampleFiles } from 'gitops-testkit';
import { PlanChange, PlanTarget, planChange } from './PromotionPlanner';

const guestbook = (env: string): PlanTarget => ({
  layout: 'kustomize',
  path: `apps/guestbook/overlays/${env}`,
  image: 'ghcr.io/acme/guestbook',
  workload: 'guestbook',
});
const flask = (env: string): PlanTarget => ({
  layout: 'helm',
  path: `apps/demo-flask-app/values-${env}.yaml`,
  image: 'ghcr.io/acme/demo-flask-app',
  workload: 'demo-flask-app',
});
const sample = (env: string): PlanTarget => ({
  layout: 'kustomize',
  path: `sample-app/apps/overlays/${env}`,
  image: 'ghcr.io/acme/sample-app',
  workload: 'sample-app',
});
const DIGEST = `sha256:${'c'.repeat(64)}`;

async function plan(
  target: PlanTarget,
  change: PlanChange,
  edit?: (files: Map<string, string>) => void,
) {
  const files = loadExampleFiles();
  edit?.(files);
  return planChange(target, change, async file => files.get(file));
}

/** The changed lines of a unified diff, without headers and context. */
function changedLines(diff: string): string[] {
  return diff.split('\n').filter(line => /^[-+](?![-+]{2} )/.test(line));
}

describe('planChange', () => {
  it.each<[string, PlanTarget, PlanChange, string[]]>([
    [
      'promotes a Kustomize tag in place, keeping its comment',
      guestbook('staging'),
      { kind: 'version', tag: 'v1.0.5', digest: null },
      [
        '-    newTag: v1.0.4 # updated by CI on promotion',
        '+    newTag: v1.0.5 # updated by CI on promotion',
      ],
    ],
    [
      'promotes a Helm tag, keeping quotes and comment',
      flask('staging'),
      { kind: 'version', tag: '9f8e7d6-42', digest: null },
      [
        '-  tag: "5c4b3a2-40" # updated by CI: {git-sha}-{run-number}',
        '+  tag: "9f8e7d6-42" # updated by CI: {git-sha}-{run-number}',
      ],
    ],
    [
      'pins a new digest in a digest-pinned Flux overlay',
      sample('prod'),
      { kind: 'version', tag: null, digest: DIGEST },
      [
        '-    digest: sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
        `+    digest: ${DIGEST}`,
      ],
    ],
    [
      'adds an images entry to an overlay that has none',
      sample('staging'),
      { kind: 'version', tag: '1.4.2', digest: null },
      ['+images:', '+  - name: ghcr.io/acme/sample-app', '+    newTag: 1.4.2'],
    ],
    [
      'scales a Kustomize replicas entry',
      guestbook('staging'),
      { kind: 'replicas', replicas: 4 },
      ['-    count: 2', '+    count: 4'],
    ],
    [
      'scales Helm replicaCount',
      flask('dev'),
      { kind: 'replicas', replicas: 2 },
      ['-replicaCount: 1', '+replicaCount: 2'],
    ],
    [
      'changes the HPA bounds of the prod overlay',
      guestbook('prod'),
      { kind: 'autoscaling', minReplicas: 4, maxReplicas: 12 },
      [
        '-  minReplicas: 3',
        '-  maxReplicas: 10',
        '+  minReplicas: 4',
        '+  maxReplicas: 12',
      ],
    ],
    [
      'changes Helm autoscaling bounds',
      flask('prod'),
      { kind: 'autoscaling', maxReplicas: 8 },
      ['-  maxReplicas: 6', '+  maxReplicas: 8'],
    ],
    [
      'answers a no-op when the replicas are already set',
      flask('dev'),
      { kind: 'replicas', replicas: 1 },
      [],
    ],
  ])('%s', async (_name, target, change, expected) => {
    const result = await plan(target, change);
    expect(changedLines(result.diff)).toEqual(expected);
    expect(result.noop).toBe(expected.length === 0);
    for (const file of result.files) {
      expect(parseDocument(file.after).errors).toEqual([]);
    }
  });

  it('refuses to scale a Rollout through kustomize `replicas`, which would not scale it', async () => {
    await expect(
      plan(
        { ...guestbook('staging'), workloadKind: 'Rollout' },
        { kind: 'replicas', replicas: 3 },
      ),
    ).rejects.toThrow(
      "apps/guestbook/overlays/staging: guestbook is an Argo Rollouts Rollout, which kustomize's `replicas` field does not scale",
    );
    // Its version still goes through `images`, which kustomize applies to any pod template.
    const version = await plan(
      { ...guestbook('staging'), workloadKind: 'Rollout' },
      { kind: 'version', tag: 'v1.0.5', digest: null },
    );
    expect(version.noop).toBe(false);
  });

  it('turns a digest pin into a tag: the digest line goes, newTag comes', async () => {
    const result = await plan(sample('prod'), {
      kind: 'version',
      tag: '1.4.2',
      digest: null,
    });
    expect(changedLines(result.diff)).toEqual([
      '-    digest: sha256:4b1e2f0c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c',
      '+    newTag: 1.4.2',
    ]);
    const images = parseDocument(result.files[0].after).toJS().images;
    expect(images).toEqual([
      { name: 'ghcr.io/acme/sample-app', newTag: '1.4.2' },
    ]);
  });

  it('adds an image block to a values file that sets no image, quoting a numeric-looking tag', async () => {
    const result = await plan(
      flask('dev'),
      { kind: 'version', tag: '1.10', digest: null },
      files =>
        files.set(
          'apps/demo-flask-app/values-dev.yaml',
          '# dev\nreplicaCount: 1\n',
        ),
    );
    expect(result.files[0].after).toBe(
      '# dev\nreplicaCount: 1\nimage:\n  tag: "1.10"\n',
    );
    expect(parseDocument(result.files[0].after).toJS().image.tag).toBe('1.10');
  });

  it('answers a no-op for the version already there', async () => {
    const result = await plan(guestbook('dev'), {
      kind: 'version',
      tag: 'v1.0.5',
      digest: null,
    });
    expect(result).toEqual({ files: [], diff: '', noop: true });
  });

  it('writes a unified diff with file headers', async () => {
    const { diff } = await plan(guestbook('staging'), {
      kind: 'version',
      tag: 'v1.0.5',
      digest: null,
    });
    expect(diff).toMatch(
      /^--- a\/apps\/guestbook\/overlays\/staging\/kustomization.yaml\n\+\+\+ b\/apps\/guestbook\/overlays\/staging\/kustomization.yaml\n@@ /,
    );
  });

  it('refuses autoscaling of an HPA that lives only in a shared base', async () => {
    await expect(
      plan(guestbook('staging'), { kind: 'autoscaling', maxReplicas: 5 }),
    ).rejects.toThrow(
      /no HorizontalPodAutoscaler for guestbook in the overlay/,
    );
  });
});
