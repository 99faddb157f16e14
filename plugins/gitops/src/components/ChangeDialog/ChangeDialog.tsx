import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import {
  GateOverride as GateOverrideRequest,
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
import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { PolicyRefusal, policyRefusalOf } from '../../api';
import { ChangePermission } from '../EntityGitopsContent/useEnvironmentPermissions';
import {
  SupplyChainSection,
  splitSupplyChainGates,
} from '../Evidence/SupplyChainSection';
import { GateChecklist } from '../Policy/GateChecklist';
import { blockingGates } from '../Policy/policyFormat';
import { GateOverride } from './GateOverride';
import { Refusal } from './Refusal';
import { statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  diff: {
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    whiteSpace: 'pre',
    overflowX: 'auto',
    background: theme.palette.background.default,
    padding: theme.spacing(1),
    margin: 0,
  },
  added: { color: statusTextColors(theme).ok },
  removed: { color: statusTextColors(theme).fail },
}));

function version(v: GitopsVersion | null): string {
  if (!v) return 'nothing';
  return v.tag ?? v.digest?.slice(0, 19) ?? 'nothing';
}

/** One line saying what the change does. */
function summary(plan: GitopsAction): ReactNode {
  if (plan.action === 'scale' && plan.scaling) {
    const s = plan.scaling;
    const what =
      s.replicas !== null
        ? `${s.replicas} replicas`
        : `autoscaling ${s.minReplicas ?? '…'}–${s.maxReplicas ?? '…'}`;
    return (
      <>
        {plan.to}: <strong>{what}</strong>
      </>
    );
  }
  return (
    <>
      {plan.from ? `${plan.from} → ` : ''}
      {plan.to}: {version(plan.previousVersion)} →{' '}
      <strong>{version(plan.version)}</strong>
    </>
  );
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
  // The supply chain's gates go with the evidence they judge; the others stay together.
  const gates = splitSupplyChainGates(plan.gates);
  return (
    <>
      <Typography variant="body1">{summary(plan)}</Typography>
      {gates.other.length > 0 && (
        <GateChecklist gates={gates.other} label="Gates" />
      )}
      <SupplyChainSection
        evidence={plan.evidence}
        gates={gates.supplyChain}
        version={version(plan.version)}
      />
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
      <Typography variant="body1" aria-label="Change result">
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
      {action.gates.some(g => g.override) && (
        <GateChecklist
          gates={action.gates.filter(g => g.override)}
          label="Overridden gates"
        />
      )}
    </>
  );
}

/**
 * Shows what a change would do (versions or scaling, gates, diff) before anything is written,
 * and writes it on confirmation. Nothing is written without the dry run's answer on screen.
 * `plan` is undefined while the caller's form is not filled in yet.
 *
 * Gates that wait or fail keep the change back; when they may all be overridden and the user
 * holds `gitops.override` (`override`), a reason lets it through: `commit` gets
 * `{ reason }`. A change the policy refuses when written (409) shows the refusal's reason,
 * when it may pass, and its gates.
 */
export function ChangeDialog(props: {
  title: string;
  confirmLabel: string;
  /** The dry run of the change; a new function plans again. */
  plan?: () => Promise<GitopsAction>;
  /** Writes the change; with the reason of an override when the user gave one. */
  commit: (override?: GateOverrideRequest) => Promise<GitopsAction>;
  /** The user's `gitops.override` on the target environment; none: no override offered. */
  override?: ChangePermission;
  /** Inputs of the change (scale, rollback), shown above the plan. */
  children?: ReactNode;
  onClose: () => void;
  /** Called after a change was written, so the caller can reload. */
  onDone: (action: GitopsAction) => void;
}) {
  const { plan: planChange, commit, onClose, onDone } = props;
  const plan = useAsync(
    async () => (planChange ? planChange() : undefined),
    [planChange],
  );
  const [writing, setWriting] = useState(false);
  const [result, setResult] = useState<GitopsAction>();
  const [writeError, setWriteError] = useState<Error>();
  // The last refusal of the policy stays on screen while the user overrides it.
  const [refusal, setRefusal] = useState<PolicyRefusal>();
  const [reason, setReason] = useState('');

  const planRefusal = policyRefusalOf(plan.error);
  const gates = refusal?.gates ?? planRefusal?.gates ?? plan.value?.gates ?? [];
  const blocking = blockingGates(gates);
  const overriding =
    blocking.length > 0 &&
    props.override?.allowed === true &&
    reason.trim() !== '';
  // Gates that only wait do not disable the button: asking anyway records the request (the
  // approvers answer it; its author cannot approve it) and shows why it waits and until when.
  const blocked =
    !plan.value ||
    plan.value.status === 'NoChange' ||
    (blocking.some(g => g.state === 'fail') && !overriding);

  async function write() {
    setWriting(true);
    setWriteError(undefined);
    try {
      const action = await commit(
        overriding ? { reason: reason.trim() } : undefined,
      );
      setRefusal(undefined);
      setResult(action);
      onDone(action);
    } catch (error) {
      const refused = policyRefusalOf(error);
      if (refused) setRefusal(refused);
      else setWriteError(error as Error);
    } finally {
      setWriting(false);
    }
  }

  let content;
  if (result) content = <Outcome action={result} />;
  else if (plan.loading) content = <Progress />;
  else if (planRefusal) {
    content = (
      <>
        <Refusal refusal={planRefusal} />
        {/* The refusal lists every gate; here only the evidence behind them. */}
        <SupplyChainSection evidence={planRefusal.evidence} gates={[]} />
      </>
    );
  } else if (plan.error)
    content = (
      <ResponseErrorPanel error={plan.error} title={errorTitle(plan.error)} />
    );
  else if (plan.value) content = <Plan plan={plan.value} />;

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="gitops-change-dialog-title"
    >
      <DialogTitle id="gitops-change-dialog-title">{props.title}</DialogTitle>
      <DialogContent>
        {!result && props.children}
        {content}
        {!result && refusal && <Refusal refusal={refusal} />}
        {!result && !plan.loading && (
          <GateOverride
            blocking={blocking}
            permission={props.override}
            reason={reason}
            onReason={setReason}
          />
        )}
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
            onClick={write}
          >
            {props.confirmLabel}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
