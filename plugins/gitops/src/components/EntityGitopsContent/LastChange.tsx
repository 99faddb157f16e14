import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { age } from './age';

/**
 * When the environment's version or scaling last changed in Git, by whom, and who asked for it
 * through the portal (the promotion, rollback or scale that wrote that commit). Read again only
 * when the environment's revision moves; nothing shown when the history cannot be read (the
 * History panel says why).
 */
export function LastChange(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  /** The revision the lane was read at: a new one may bring a new change. */
  revision: string | null;
  now: number;
}) {
  const { entityRef, environment, revision, now } = props;
  const api = useApi(gitopsApiRef);
  const { value, loading } = useAsync(
    () => api.getHistory(entityRef, environment),
    [api, entityRef, environment, revision],
  );
  if (loading && !value) {
    return (
      <Typography variant="caption" component="div" color="textSecondary">
        reading when it changed…
      </Typography>
    );
  }
  const last = value?.items[0];
  if (!last) return null;
  const action = last.promotionId
    ? value.actions.find(a => a.id === last.promotionId)
    : undefined;
  const what = last.changes.includes('version') ? 'version set' : 'scaled';
  return (
    <Typography variant="caption" component="div" color="textSecondary">
      {what} {age(last.committedAt, now)} by {last.author}
      {action ? ` · ${action.action} asked by ${action.actor}` : ''}
    </Typography>
  );
}
