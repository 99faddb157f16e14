import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  EnvironmentStatus,
  GitopsAction,
  ProgressiveRollout,
  ROLLOUT_ACTIONS,
  RolloutAction,
  RolloutActionState,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { formatVersion } from '../../lib';
import { PermittedButton } from '../EntityGitopsContent/PermittedButton';
import { useLaneStyles } from '../EntityGitopsContent/laneStyles';
import {
  ChangePermission,
  useRolloutPermission,
} from '../EntityGitopsContent/useEnvironmentPermissions';
import { errorMessage } from '../Policy/policyFormat';
import {
  CONTROLLER_NAMES,
  ROLLOUT_ACTION_LABELS,
  describeRolloutAction,
  rolloutActionName,
} from './rolloutFormat';

/**
 * An action's button is offered when the user may change the rollout and its controller
 * accepts the action now; otherwise it is disabled with the reason (the permission's first).
 */
function actionPermission(
  permission: ChangePermission,
  state: RolloutActionState,
): ChangePermission {
  if (!permission.allowed || state.allowed) return permission;
  return {
    allowed: false,
    loading: false,
    reason: state.reason ?? 'Not possible in the rollout’s current state',
  };
}

/** The version Git asks for in the environment, e.g. `v1.0.3`; `null` when Git sets none. */
function gitVersion(environment: EnvironmentStatus): string | null {
  const desired = environment.desired;
  if (!desired?.tag && !desired?.digest) return null;
  return formatVersion(desired);
}

/** The dialog of one action: what it will do, then the request, its progress and answer. */
function ConfirmRolloutAction(props: {
  action: RolloutAction;
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  rollout: ProgressiveRollout;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { action, entityRef, environment, rollout, onClose, onChanged } = props;
  const api = useApi(gitopsApiRef);
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState<GitopsAction>();
  const [error, setError] = useState<Error>();
  const controller = CONTROLLER_NAMES[rollout.controller];
  const name = rolloutActionName(action, environment.name);
  const titleId = `gitops-rollout-${action}-${environment.name}`;

  async function send() {
    setSending(true);
    setError(undefined);
    try {
      setAnswer(
        await api.requestRollout(entityRef, {
          environment: environment.name,
          action,
        }),
      );
      onChanged();
    } catch (e) {
      setError(e as Error);
      // The rollout may have moved on since the lane was read: read it again.
      onChanged();
    } finally {
      setSending(false);
    }
  }

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId}>
      <DialogTitle id={titleId}>{`${name}?`}</DialogTitle>
      <DialogContent>
        <Typography
          variant="body1"
          gutterBottom
          data-testid="rollout-confirmation"
        >
          {describeRolloutAction(action, rollout, {
            service: entityRef.name,
            environment: environment.name,
            gitVersion: gitVersion(environment),
          })}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {`Asks ${controller} in the cluster (${rollout.kind} ${rollout.namespace}/${rollout.name}); nothing changes in Git.`}
        </Typography>
        {sending && <LinearProgress aria-label={`Asking ${controller}`} />}
        {answer && (
          <Typography role="status" variant="body2">
            {answer.message ??
              `${controller} was asked to ${ROLLOUT_ACTION_LABELS[
                action
              ].toLowerCase()} the rollout in ${environment.name}`}
          </Typography>
        )}
        {error && (
          <Typography role="alert" variant="body2" color="error">
            {errorMessage(error)}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        {answer ? (
          <Button onClick={onClose}>Close</Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={sending}
              onClick={send}
            >
              {ROLLOUT_ACTION_LABELS[action]}
            </Button>
          </>
        )}
      </DialogActions>
    </Dialog>
  );
}

/**
 * What the rollout's controller can be asked from the lane — promote, promote in full,
 * abort, retry, restart — each disabled with the reason when the controller would refuse it
 * or the user may not (`gitops.rollout`), and each after a confirmation saying what happens.
 */
export function RolloutActions(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  rollout: ProgressiveRollout;
  onChanged: () => void;
}) {
  const { entityRef, environment, rollout, onChanged } = props;
  const lane = useLaneStyles();
  const permission = useRolloutPermission(entityRef, environment.name);
  const [asking, setAsking] = useState<RolloutAction>();
  const states = ROLLOUT_ACTIONS.map(action =>
    rollout.actions.find(a => a.action === action),
  ).filter((state): state is RolloutActionState => Boolean(state));
  if (states.length === 0) return null;
  return (
    <div className={lane.buttons}>
      {states.map(state => (
        <PermittedButton
          key={state.action}
          permission={actionPermission(permission, state)}
          size="small"
          variant="outlined"
          color={state.action === 'abort' ? 'secondary' : 'default'}
          onClick={() => setAsking(state.action)}
          aria-label={rolloutActionName(state.action, environment.name)}
        >
          {ROLLOUT_ACTION_LABELS[state.action]}
        </PermittedButton>
      ))}
      {asking && (
        <ConfirmRolloutAction
          action={asking}
          entityRef={entityRef}
          environment={environment}
          rollout={rollout}
          onClose={() => setAsking(undefined)}
          onChanged={onChanged}
        />
      )}
    </div>
  );
}
