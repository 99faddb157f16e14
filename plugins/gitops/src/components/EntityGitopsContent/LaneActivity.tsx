import { CompoundEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { GitopsAction } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { age } from './age';

/** What a change waiting for review does, e.g. `promote v1.0.5` or `scale to 4`. */
function describeChange(action: GitopsAction): string {
  const version = action.version?.tag ?? action.version?.digest ?? '';
  if (action.action === 'scale') {
    const s = action.scaling;
    if (s?.replicas !== null && s?.replicas !== undefined) {
      return `scale to ${s.replicas}`;
    }
    return `autoscale ${s?.minReplicas ?? '?'}–${s?.maxReplicas ?? '?'}`;
  }
  return `${action.action} ${version}`.trim();
}

/**
 * The Git side of a lane beyond its version: when its version or scaling last changed, by
 * whom and who asked for it through the portal; and the changes waiting for review — pull
 * requests (or, with a Git host without them, branches) of promotions, rollbacks and scaling
 * not merged yet. Read again when the lane's revision moves or an action changed; nothing
 * shown when the history cannot be read (the History panel says why).
 */
export function LaneActivity(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  /** The revision the lane was read at: a new one may bring a new change. */
  revision: string | null;
  /** Changes when an action on the entity changed (e.g. a pull request was opened). */
  activityKey?: number;
  now: number;
}) {
  const { entityRef, environment, revision, activityKey, now } = props;
  const api = useApi(gitopsApiRef);
  const { value, loading } = useAsync(
    () => api.getHistory(entityRef, environment),
    [api, entityRef, environment, revision, activityKey],
  );
  if (loading && !value) {
    return (
      <Typography variant="caption" component="div" color="textSecondary">
        reading when it changed…
      </Typography>
    );
  }
  if (!value) return null;
  const last = value.items[0];
  const asked = last?.promotionId
    ? value.actions.find(a => a.id === last.promotionId)
    : undefined;
  const waiting = value.actions.filter(a => a.status === 'PullRequestOpened');
  return (
    <>
      {last && (
        <Typography variant="caption" component="div" color="textSecondary">
          {last.changes.includes('version') ? 'version set' : 'scaled'}{' '}
          {age(last.committedAt, now)} by {last.author}
          {asked ? ` · ${asked.action} asked by ${asked.actor}` : ''}
        </Typography>
      )}
      {waiting.map(action => (
        <Typography key={action.id} variant="caption" component="div">
          Waiting for review: {describeChange(action)} (
          {action.pullRequest ? (
            <Link to={action.pullRequest} underline="always">
              pull request
            </Link>
          ) : (
            `branch ${action.branch}`
          )}
          , asked {age(action.createdAt, now)} by {action.actor})
        </Typography>
      ))}
    </>
  );
}
