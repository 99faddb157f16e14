import { parseDocument } from 'yaml';
import { DesiredStateReader } from '../desired/DesiredStateReader';
import {
  CHECKOUT_IMAGE,
  GUESTBOOK_IMAGE,
  rolloutRepoFiles,
} from '../desired/__testUtils__/rolloutRepo';
import { memoryGitProvider } from 'gitops-testkit';
import { PlanChange, PlanTarget, planChange } from './PromotionPlanner';
import { defaultEnvironmentConfig } from '../environments';

/** Issue 30: a Rollout's version and scale change with the same one-line commits. */

const guestbook = (env: string): PlanTarget => ({
  layout: 'kustomize',
  path: `apps/guestbook/overlays/${env}`,
  image: GUESTBOOK_IMAGE,
  workload: 'guestbook',
  workloadKind: 'Rollout',
});
const checkout: PlanTarget = {
  layout: 'kustomize',
  path: 'apps/checkout/overlays/prod',
  image: CHECKOUT_IMAGE,
  workload: 'checkout-rollout',
  workloadKind: 'Rollout',
};

/** The changed lines of a unified diff, without headers and context. */
function changedLines(diff: string): string[] {
  return diff.split('\n').filter(line => /^[-+](?![-+]{2} )/.test(line));
}

/** Plans a change and applies it to the files, as a commit would. */
async function commit(
  files: Map<string, string>,
  target: PlanTarget,
  change: PlanChange,
) {
  const plan = await planChange(target, change, async f => files.get(f));
  for (const file of plan.files) {
    expect(parseDocument(file.after).errors).toEqual([]);
    files.set(file.path, file.after);
  }
  return plan;
}

async function desired(
  files: Map<string, string>,
  service: string,
  image: string,
  env: string,
) {
  const { state } = await new DesiredStateReader().read({
    target: {
      entityRef: `component:default/${service}`,
      service,
      path: `apps/${service}`,
      repository: { url: 'https://example.com/gitops.git', branch: 'main' },
      provider: memoryGitProvider(files),
      hints: { workloadName: service, image },
      selectors: {},
    },
    environment: defaultEnvironmentConfig(env),
    revision: 'f'.repeat(40),
  });
  return state;
}

describe('planChange for Argo Rollouts', () => {
  it('promotes a Rollout overlay by its newTag alone, and rolls back the same way', async () => {
    const files = rolloutRepoFiles();
    const promoted = await commit(files, guestbook('staging'), {
      kind: 'version',
      tag: 'v2.0.0',
      digest: null,
    });
    expect(promoted.files.map(f => f.path)).toEqual([
      'apps/guestbook/overlays/staging/kustomization.yaml',
    ]);
    expect(changedLines(promoted.diff)).toEqual([
      '-    newTag: v1.0.4 # updated on promotion',
      '+    newTag: v2.0.0 # updated on promotion',
    ]);
    expect(
      await desired(files, 'guestbook', GUESTBOOK_IMAGE, 'staging'),
    ).toMatchObject({
      workloadKind: 'Rollout',
      tag: 'v2.0.0',
    });

    const rolledBack = await commit(files, guestbook('staging'), {
      kind: 'version',
      tag: 'v1.0.4',
      digest: null,
    });
    expect(changedLines(rolledBack.diff)).toEqual([
      '-    newTag: v2.0.0 # updated on promotion',
      '+    newTag: v1.0.4 # updated on promotion',
    ]);
    expect(files).toEqual(rolloutRepoFiles());
  });

  it("promotes a workloadRef Rollout on the newTag that sets its Deployment's image, and pins a digest", async () => {
    const files = rolloutRepoFiles();
    const promoted = await commit(files, checkout, {
      kind: 'version',
      tag: '2.2.0',
      digest: null,
    });
    expect(promoted.files.map(f => f.path)).toEqual([
      'apps/checkout/overlays/prod/kustomization.yaml',
    ]);
    expect(changedLines(promoted.diff)).toEqual([
      '-    newTag: 2.1.0 # updated on promotion',
      '+    newTag: 2.2.0 # updated on promotion',
    ]);
    expect(
      await desired(files, 'checkout', CHECKOUT_IMAGE, 'prod'),
    ).toMatchObject({
      workload: 'checkout-rollout',
      workloadKind: 'Rollout',
      tag: '2.2.0',
    });
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = await commit(files, checkout, {
      kind: 'version',
      tag: '2.2.0',
      digest,
    });
    expect(changedLines(pinned.diff)).toEqual([`+    digest: ${digest}`]);
    expect(
      await desired(files, 'checkout', CHECKOUT_IMAGE, 'prod'),
    ).toMatchObject({
      tag: '2.2.0',
      digest,
    });
    const rolledBack = await commit(files, checkout, {
      kind: 'version',
      tag: '2.1.0',
      digest: null,
    });
    expect(changedLines(rolledBack.diff)).toEqual([
      '-    newTag: 2.2.0 # updated on promotion',
      `-    digest: ${digest}`,
      '+    newTag: 2.1.0 # updated on promotion',
    ]);
    expect(files).toEqual(rolloutRepoFiles());
  });

  it('scales a Rollout in the patch of it in the overlay', async () => {
    const files = rolloutRepoFiles();
    const scaled = await commit(files, guestbook('staging'), {
      kind: 'replicas',
      replicas: 5,
    });
    expect(scaled.files.map(f => f.path)).toEqual([
      'apps/guestbook/overlays/staging/rollout-replicas.yaml',
    ]);
    expect(changedLines(scaled.diff)).toEqual([
      '-  replicas: 3',
      '+  replicas: 5',
    ]);
    expect(
      await desired(files, 'guestbook', GUESTBOOK_IMAGE, 'staging'),
    ).toMatchObject({
      replicas: 5,
    });
  });

  it('refuses to scale a Rollout the overlay has no manifest or patch of', async () => {
    await expect(
      planChange(
        guestbook('prod'),
        { kind: 'replicas', replicas: 4 },
        async f => rolloutRepoFiles().get(f),
      ),
    ).rejects.toThrow(
      "apps/guestbook/overlays/prod: guestbook is an Argo Rollouts Rollout, which kustomize's `replicas` field does not scale; set spec.replicas in a patch of it in the overlay, or give it an autoscaler",
    );
  });

  it.each([
    [
      'a Rollout',
      guestbook('prod'),
      'apps/guestbook/overlays/prod/hpa.yaml',
      3,
      10,
    ],
    [
      'a workloadRef Rollout',
      checkout,
      'apps/checkout/overlays/prod/hpa.yaml',
      4,
      12,
    ],
  ] as const)(
    'changes the bounds of the HPA that scales %s (scaleTargetRef kind Rollout)',
    async (_what, target, file, min, max) => {
      const files = rolloutRepoFiles();
      const plan = await commit(files, target, {
        kind: 'autoscaling',
        minReplicas: min + 1,
        maxReplicas: max + 2,
      });
      expect(plan.files.map(f => f.path)).toEqual([file]);
      expect(changedLines(plan.diff)).toEqual([
        `-  minReplicas: ${min}`,
        `-  maxReplicas: ${max}`,
        `+  minReplicas: ${min + 1}`,
        `+  maxReplicas: ${max + 2}`,
      ]);
      expect(
        parseDocument(files.get(file)!).toJS().spec.scaleTargetRef.kind,
      ).toBe('Rollout');
    },
  );
});
