import { Problem } from '@gitops-backstage/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import { guestbookEnvironmentsLive } from '../../__fixtures__/guestbook';
import {
  mockGitopsApi,
  renderWithApi,
} from '../../__testUtils__/renderWithApi';
import { EntityGitopsContent } from './EntityGitopsContent';

/** Every failure mode of the contract, with the kind of message the cluster gives. */
const PROBLEMS: Problem[] = [
  [
    'CrashLoopBackOff',
    'error',
    'back-off 5m0s restarting failed container=guestbook (restarts: 7)',
  ],
  [
    'ImagePullBackOff',
    'error',
    'Back-off pulling image "ghcr.io/acme/guestbook:v9.9.9"',
  ],
  ['OOMKilled', 'error', 'container guestbook was OOMKilled (limit 128Mi)'],
  [
    'ProbeFailing',
    'warning',
    'Readiness probe failed: HTTP probe failed with statuscode: 503',
  ],
  ['Unschedulable', 'error', '0/3 nodes are available: 3 Insufficient memory.'],
  [
    'VolumePending',
    'error',
    'PersistentVolumeClaim data-guestbook-0 is Pending',
  ],
  [
    'HPAAtMax',
    'warning',
    'At maxReplicas 10: the desired replica count is more than the maximum',
  ],
  [
    'RolloutStuck',
    'error',
    'ReplicaSet "guestbook-7d4b9c8f6d" has timed out progressing.',
  ],
  [
    'SyncFailed',
    'error',
    'one or more objects failed to apply: Deployment.apps "guestbook" is invalid',
  ],
  [
    'SourceNotReady',
    'error',
    "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/acme/gitops'",
  ],
  ['Suspended', 'warning', 'Kustomization flux-system/apps is suspended'],
  [
    'StaleReconcile',
    'warning',
    'generation 4 not observed for 40 min (interval 10m)',
  ],
  [
    'Drift',
    'warning',
    'image: Git ghcr.io/acme/guestbook:v1.0.3, cluster ghcr.io/acme/guestbook:v1.0.2',
  ],
].map(([type, severity, message]) => ({
  type,
  severity,
  message,
  object: `Pod guestbook-prod/guestbook-5d9c-${type.length}`,
  hint: `What to do about ${type}: a hint long enough to need wrapping in a lane of 260 px, which must never be cut off at the lane's edge.`,
})) as Problem[];

describe('EntityGitopsContent: every problem type', () => {
  it.each(PROBLEMS.map(p => [p.type, p] as const))(
    '%s: shown in its lane with the message and the whole hint',
    async (_type, problem) => {
      const [dev, staging, prod] = guestbookEnvironmentsLive.environments;
      const api = mockGitopsApi(async () => ({
        ...guestbookEnvironmentsLive,
        environments: [dev, staging, { ...prod, problems: [problem] }],
      }));
      await renderWithApi(<EntityGitopsContent />, api);
      const problems = await screen.findByRole('region', {
        name: 'Problems in prod',
      });
      const item = within(problems).getByRole('listitem');
      expect(item).toHaveTextContent(`${problem.type}: ${problem.message}`);
      expect(within(item).getByText(problem.hint)).toBeInTheDocument();
      expect(
        within(item).getByText(`on ${problem.object}`),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('region', { name: 'Problems in dev' }),
      ).toBeNull();
    },
  );
});
