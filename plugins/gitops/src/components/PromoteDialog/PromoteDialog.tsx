import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  GitopsAction,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

const useStyles = makeStyles(theme => ({
  gates: { margin: theme.spacing(1, 0), paddingLeft: theme.spacing(2) },
  passed: { color: theme.palette.success.dark },
  failed: { color: theme.palette.error.main },
  diff: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    whiteSpace: 'pre',
    overflowX: 'auto',
    background: theme.palette.background.default,
    padding: theme.spacing(1),
    margin: 0,
  },
  added: { color: theme.palette.success.dark },
  removed: { color: theme.palette.error.main },
}));

function version(v: GitopsVersion | null): string {
  if (!v) return 'nothing';
  return v.tag ?? v.digest?.slice(0, 19) ?? 'nothing';
}

function errorTitle(error: Error): string | undefined {
  return error instanceof ResponseError ? error.cause.message : undefined;
}

/** The plan's unified diff, additions and removals coloured. */
function Diff(props: { diff: string }) {
  const classes = useStyles();
  return (
    <pre className={classes.diff} aria-label="Planned change">
      {props.diff.split('\n').map((line, i) => {
        let className: string | undefined;
        if (/^\+(?!\+\+ )/.test(line)) className = classes.added;
        else if (/^-(?!-- )/.test(line)) className = classes.removed;
        return (
          <div key={i} className={className}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}

function Plan(props: { plan: GitopsAction }) {
  const { plan } = props;
  const classes = useStyles();
  return (
    <>
      <Typography variant="body1">
        {plan.from} → {plan.to}: {version(plan.previousVersion)} →{' '}
        <strong>{version(plan.version)}</strong>
      </Typography>
      <Typography
        component="ul"
        variant="body2"
        className={classes.gates}
        aria-label="Gates"
      >
        {plan.gates.map(gate => (
          <li
            key={gate.name}
            className={gate.passed ? classes.passed : classes.failed}
          >
            {gate.passed ? '✔' : '✘'} <strong>{gate.name}</strong>:{' '}
            {gate.message}
          </li>
        ))}
      </Typography>
      {plan.status === 'NoChange' ? (
        <Typography variant="body2">{plan.message}</Typography>
      ) : (
        <Diff diff={plan.diff} />
      )}
      {plan.status === 'DryRun' && plan.message && (
        <Typography variant="caption">{plan.message}</Typography>
      )}
    </>
  );
}

function Outcome(props: { action: GitopsAction }) {
  const { action } = props;
  return (
    <>
      <Typography variant="body1" aria-label="Promotion result">
        <strong>{action.status}</strong>: {action.message}
      </Typography>
      {action.commit && (
        <Typography variant="body2">
          Commit {action.commit.slice(0, 7)}
        </Typography>
      )}
      {action.pullRequest && (
        <Typography variant="body2">
          Pull request: <a href={action.pullRequest}>{action.pullRequest}</a>
        </Typography>
      )}
      {action.branch && !action.pullRequest && (
        <Typography variant="body2">Branch {action.branch}</Typography>
      )}
    </>
  );
}

/**
 * Shows what a promotion would change (versions, gates, diff) before anything is written, and
 * writes it on confirmation. Nothing happens without the dry run's answer on screen.
 */
export function PromoteDialog(props: {
  entityRef: CompoundEntityRef;
  from: string;
  to: string;
  onClose: () => void;
  /** Called after a change was written, so the caller can reload. */
  onPromoted: (action: GitopsAction) => void;
}) {
  const { entityRef, from, to, onClose, onPromoted } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const plan = useAsync(
    () => gitopsApi.promote(entityRef, { from, to, dryRun: true }),
    [gitopsApi, entityRef, from, to],
  );
  const [writing, setWriting] = useState(false);
  const [result, setResult] = useState<GitopsAction>();
  const [writeError, setWriteError] = useState<Error>();

  const blocked =
    !plan.value ||
    plan.value.status === 'NoChange' ||
    plan.value.gates.some(g => !g.passed);

  async function promote() {
    setWriting(true);
    setWriteError(undefined);
    try {
      const action = await gitopsApi.promote(entityRef, { from, to });
      setResult(action);
      onPromoted(action);
    } catch (error) {
      setWriteError(error as Error);
    } finally {
      setWriting(false);
    }
  }

  let content;
  if (plan.loading) content = <Progress />;
  else if (plan.error)
    content = (
      <ResponseErrorPanel error={plan.error} title={errorTitle(plan.error)} />
    );
  else if (result) content = <Outcome action={result} />;
  else if (plan.value) content = <Plan plan={plan.value} />;

  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        Promote {entityRef.name} from {from} to {to}
      </DialogTitle>
      <DialogContent>
        {content}
        {writing && <Progress />}
        {writeError && (
          <ResponseErrorPanel
            error={writeError}
            title={errorTitle(writeError)}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{result ? 'Close' : 'Cancel'}</Button>
        {!result && (
          <Button
            color="primary"
            variant="contained"
            disabled={blocked || writing}
            onClick={promote}
          >
            Promote
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
