import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { shortRevision } from '../../lib';
import { RollbackDialog } from '../EnvironmentActions/EnvironmentActions';
import { CommitLink } from './GitLinks';
import { PermittedButton } from './PermittedButton';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

const useStyles = makeStyles(theme => ({
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  item: { marginBottom: theme.spacing(1) },
}));

function HistoryList(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
}) {
  const { entityRef, environment, onChanged } = props;
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const [rollbackTo, setRollbackTo] = useState<string>();
  const name = environment.name;
  const permissions = useEnvironmentPermissions(entityRef, name);
  const { value, loading, error } = useAsync(
    () => api.getHistory(entityRef, name),
    [api, entityRef, name],
  );
  if (loading) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  const current = environment.desired?.tag;
  const repo = environment.desired?.source.repo;
  return (
    <>
      {value!.items.length === 0 && (
        <Typography variant="body2">
          No version or scaling change in Git yet.
        </Typography>
      )}
      <ul className={classes.list} aria-label={`History of ${name}`}>
        {value!.items.map(item => (
          <li key={item.revision} className={classes.item}>
            <Typography variant="body2">
              <strong>{item.tag ?? item.digest?.slice(0, 19) ?? '—'}</strong>
              {` · ${item.committedAt.slice(0, 10)} · ${item.author}`}
            </Typography>
            <Typography variant="caption" component="div" color="textSecondary">
              {repo ? (
                <CommitLink repo={repo} revision={item.revision} />
              ) : (
                shortRevision(item.revision)
              )}
              {` ${item.message}`}
            </Typography>
            {item.tag && item.tag !== current && (
              <PermittedButton
                permission={permissions.rollback}
                size="small"
                onClick={() => setRollbackTo(item.tag!)}
                aria-label={`Roll back ${name} to ${item.tag}`}
              >
                Roll back to this
              </PermittedButton>
            )}
          </li>
        ))}
      </ul>
      {value!.actions.length > 0 && (
        <ul className={classes.list} aria-label={`Recorded actions in ${name}`}>
          {value!.actions.map(action => (
            <li key={action.id ?? action.createdAt}>
              <Typography variant="caption">
                {`${action.action} ${action.status} · ${
                  action.actor
                } · ${action.createdAt.slice(0, 16).replace('T', ' ')}`}
                {action.message && ` · ${action.message}`}
              </Typography>
            </li>
          ))}
        </ul>
      )}
      {rollbackTo && (
        <RollbackDialog
          entityRef={entityRef}
          environment={environment}
          initialTag={rollbackTo}
          onClose={() => setRollbackTo(undefined)}
          onDone={onChanged}
        />
      )}
    </>
  );
}

/**
 * An environment's history, opened on demand: commits that changed its version or scaling
 * (who, when, what) and the actions recorded through the plugin, each older version with a
 * roll-back through the dialog.
 */
export function LaneHistory(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <section aria-label={`History section of ${props.environment.name}`}>
      <Button
        size="small"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
        aria-label={`History of ${props.environment.name}`}
      >
        {open ? 'Hide history' : 'History'}
      </Button>
      {open && <HistoryList {...props} />}
    </section>
  );
}
