import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  EnvironmentStatus,
  GateOverride,
  GitopsAction,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import { useCallback, useState } from 'react';
import { gitopsApiRef } from '../../api';
import Typography from '@material-ui/core/Typography';
import { ChangeDialog } from '../ChangeDialog/ChangeDialog';
import { WhatWillShip } from '../Changes/WhatWillShip';
import { PermittedButton } from '../EntityGitopsContent/PermittedButton';
import { useEnvironmentPermissions } from '../EntityGitopsContent/useEnvironmentPermissions';

const useStyles = makeStyles(theme => ({
  form: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    marginBottom: theme.spacing(2),
  },
  buttons: { display: 'flex', gap: theme.spacing(1), whiteSpace: 'nowrap' },
  ship: { marginTop: theme.spacing(2) },
}));

type Open = 'promote' | 'scale' | 'rollback' | undefined;

/**
 * The changes a user can make to one environment, each a Git commit or pull-request branch:
 * promote from the previous environment, scale, roll back. Each opens a dialog that shows the
 * planned diff (a dry run) before the commit button is enabled. A change the user may not make
 * is disabled with the reason.
 */
export function EnvironmentActions(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  /** The environment before this one in promotion order. */
  previous?: string;
  onChanged: (action: GitopsAction) => void;
  /** Whether to offer the promotion here (the tab offers it between lanes instead). */
  promote?: boolean;
}) {
  const { entityRef, environment, previous, onChanged } = props;
  const promote = props.promote ?? true;
  const name = environment.name;
  const classes = useStyles();
  const [open, setOpen] = useState<Open>();
  const close = () => setOpen(undefined);
  const permissions = useEnvironmentPermissions(entityRef, name);
  return (
    <div className={classes.buttons}>
      {previous && promote && (
        <PermittedButton
          permission={permissions.promote}
          size="small"
          variant="outlined"
          color="primary"
          onClick={() => setOpen('promote')}
          aria-label={`Promote ${previous} to ${name}`}
        >
          From {previous}
        </PermittedButton>
      )}
      <PermittedButton
        permission={permissions.scale}
        size="small"
        onClick={() => setOpen('scale')}
        aria-label={`Scale ${name}`}
        disabled={!environment.desired}
      >
        Scale
      </PermittedButton>
      <PermittedButton
        permission={permissions.rollback}
        size="small"
        onClick={() => setOpen('rollback')}
        aria-label={`Roll back ${name}`}
        disabled={!environment.desired}
      >
        Roll back
      </PermittedButton>
      {open === 'promote' && previous && (
        <PromoteDialog
          entityRef={entityRef}
          from={previous}
          to={name}
          onClose={close}
          onDone={onChanged}
        />
      )}
      {open === 'scale' && (
        <ScaleDialog
          entityRef={entityRef}
          environment={environment}
          onClose={close}
          onDone={onChanged}
        />
      )}
      {open === 'rollback' && (
        <RollbackDialog
          entityRef={entityRef}
          environment={environment}
          onClose={close}
          onDone={onChanged}
        />
      )}
    </div>
  );
}

/** The request's `override` part: only there when the user overrides. */
function overrideOf(override?: GateOverride): { override?: GateOverride } {
  return override ? { override } : {};
}

type DialogProps = {
  entityRef: CompoundEntityRef;
  onClose: () => void;
  onDone: (action: GitopsAction) => void;
};

/** The promotion dialog: dry-run diff and gates, then the commit or pull request. */
export function PromoteDialog(
  props: DialogProps & { from: string; to: string },
) {
  const { entityRef, from, to } = props;
  const api = useApi(gitopsApiRef);
  const { override } = useEnvironmentPermissions(entityRef, to);
  const classes = useStyles();
  const plan = useCallback(
    () => api.promote(entityRef, { from, to, dryRun: true }),
    [api, entityRef, from, to],
  );
  return (
    <ChangeDialog
      title={`Promote ${entityRef.name} from ${from} to ${to}`}
      confirmLabel="Promote"
      plan={plan}
      override={override}
      commit={reason =>
        api.promote(entityRef, { from, to, ...overrideOf(reason) })
      }
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <section aria-label="What will ship" className={classes.ship}>
        <Typography variant="subtitle2">What will ship</Typography>
        <WhatWillShip entityRef={entityRef} environment={to} />
      </section>
    </ChangeDialog>
  );
}

function ScaleDialog(props: DialogProps & { environment: EnvironmentStatus }) {
  const { entityRef, environment } = props;
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const { override } = useEnvironmentPermissions(entityRef, environment.name);
  const desired = environment.desired!;
  const hpa = desired.autoscaling;
  const [replicas, setReplicas] = useState(String(desired.replicas ?? 1));
  const [min, setMin] = useState(String(hpa?.minReplicas ?? ''));
  const [max, setMax] = useState(String(hpa?.maxReplicas ?? ''));
  const [plan, setPlan] = useState<() => Promise<GitopsAction>>();
  const request = () =>
    hpa
      ? {
          environment: environment.name,
          autoscaling: {
            ...(min !== '' ? { minReplicas: Number(min) } : {}),
            ...(max !== '' ? { maxReplicas: Number(max) } : {}),
          },
        }
      : { environment: environment.name, replicas: Number(replicas) };
  const preview = () => {
    const body = request();
    // A new function plans again; the body is fixed at the time of the preview.
    setPlan(() => () => api.scale(entityRef, { ...body, dryRun: true }));
  };
  return (
    <ChangeDialog
      title={`Scale ${entityRef.name} in ${environment.name}`}
      confirmLabel="Commit"
      plan={plan}
      override={override}
      commit={reason =>
        api.scale(entityRef, { ...request(), ...overrideOf(reason) })
      }
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <div className={classes.form}>
        {hpa ? (
          <>
            <TextField
              id={`gitops-min-${environment.name}`}
              label="minReplicas"
              type="number"
              value={min}
              onChange={e => setMin(e.target.value)}
            />
            <TextField
              id={`gitops-max-${environment.name}`}
              label="maxReplicas"
              type="number"
              value={max}
              onChange={e => setMax(e.target.value)}
            />
          </>
        ) : (
          <TextField
            id={`gitops-replicas-${environment.name}`}
            label="replicas"
            type="number"
            value={replicas}
            onChange={e => setReplicas(e.target.value)}
          />
        )}
        <Button variant="outlined" onClick={preview}>
          Preview
        </Button>
      </div>
    </ChangeDialog>
  );
}

/** The rollback dialog: a tag to run (prefilled from the history), its dry run, the commit. */
export function RollbackDialog(
  props: DialogProps & { environment: EnvironmentStatus; initialTag?: string },
) {
  const { entityRef, environment } = props;
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const { override } = useEnvironmentPermissions(entityRef, environment.name);
  const [tag, setTag] = useState(props.initialTag ?? '');
  const [plan, setPlan] = useState<() => Promise<GitopsAction>>();
  const preview = () => {
    const body = { environment: environment.name, toTag: tag.trim() };
    setPlan(() => () => api.rollback(entityRef, { ...body, dryRun: true }));
  };
  return (
    <ChangeDialog
      title={`Roll back ${entityRef.name} in ${environment.name}`}
      confirmLabel="Commit rollback"
      plan={plan}
      override={override}
      commit={reason =>
        api.rollback(entityRef, {
          environment: environment.name,
          toTag: tag.trim(),
          ...overrideOf(reason),
        })
      }
      onClose={props.onClose}
      onDone={props.onDone}
    >
      <div className={classes.form}>
        <TextField
          id={`gitops-rollback-tag-${environment.name}`}
          label="Tag to run"
          placeholder={environment.desired?.tag ?? ''}
          value={tag}
          onChange={e => setTag(e.target.value)}
          helperText="A new commit that sets this tag; history stays as it is"
        />
        <Button variant="outlined" onClick={preview} disabled={!tag.trim()}>
          Preview
        </Button>
      </div>
    </ChangeDialog>
  );
}
