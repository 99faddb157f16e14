import { CompoundEntityRef } from '@backstage/catalog-model';
import { alertApiRef, useApi } from '@backstage/core-plugin-api';
import {
  EngineRequest,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { PermittedButton } from './PermittedButton';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

type Action = EngineRequest['action'];

const WHAT: Record<Action, string> = {
  refresh: 'compare the cluster with Git again now',
  sync: 'apply what Git says now',
  reconcile: 'reconcile with its source now',
  suspend:
    'stop reconciling: changes in Git are not applied until it is resumed',
  resume: 'reconcile again, applying what Git says',
};

/** What the environment's engine can be asked: Argo CD refresh/sync, Flux reconcile/suspend/resume. */
export function engineActions(environment: EnvironmentStatus): Action[] {
  const engine = environment.sync?.engine;
  if (engine === 'argocd') return ['refresh', 'sync'];
  if (engine === 'flux') {
    const suspended =
      environment.sync?.health === 'Suspended' ||
      Boolean(environment.sync?.suspendedBy);
    return ['reconcile', suspended ? 'resume' : 'suspend'];
  }
  return [];
}

/**
 * The requests to the environment's engine — the one kind of change that touches the cluster
 * instead of Git — each after a confirmation saying what it does.
 */
export function EngineActions(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
}) {
  const { entityRef, environment, onChanged } = props;
  const api = useApi(gitopsApiRef);
  const alertApi = useApi(alertApiRef);
  const [asking, setAsking] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const engine = environment.sync?.engine === 'argocd' ? 'Argo CD' : 'Flux';
  const name = environment.name;
  const permission = useEnvironmentPermissions(entityRef, name).engine;
  const confirm = async () => {
    const action = asking!;
    setBusy(true);
    try {
      const result = await api.requestEngine(entityRef, {
        environment: name,
        action,
      });
      alertApi.post({
        message: result.message ?? `${engine} was asked to ${action} ${name}`,
        severity: 'success',
        display: 'transient',
      });
      onChanged();
    } catch (error) {
      alertApi.post({
        message: `${engine} could not be asked to ${action} ${name}: ${
          (error as Error).message
        }`,
        severity: 'error',
      });
    } finally {
      setBusy(false);
      setAsking(undefined);
    }
  };
  const actions = engineActions(environment);
  if (actions.length === 0) return null;
  return (
    <div>
      {actions.map(action => (
        <PermittedButton
          key={action}
          permission={permission}
          size="small"
          onClick={() => setAsking(action)}
          aria-label={`${action[0].toUpperCase()}${action.slice(1)} ${name}`}
        >
          {action}
        </PermittedButton>
      ))}
      {asking && (
        <Dialog
          open
          onClose={() => setAsking(undefined)}
          aria-labelledby="gitops-engine-dialog-title"
        >
          <DialogTitle id="gitops-engine-dialog-title">{`${engine}: ${asking} ${name}?`}</DialogTitle>
          <DialogContent>
            <Typography variant="body2">
              {`Asks ${engine} to ${WHAT[asking]}. This changes the cluster's engine objects, not Git.`}
            </Typography>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setAsking(undefined)}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={busy}
              onClick={confirm}
            >
              {asking}
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </div>
  );
}
