import { useApi } from '@backstage/core-plugin-api';
import { GitopsFreeze } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode, useState } from 'react';
import { gitopsApiRef } from '../../api';
import { errorMessage, freezeSentence } from '../Policy/policyFormat';

const useStyles = makeStyles(theme => ({
  form: { display: 'flex', flexDirection: 'column', gap: theme.spacing(2) },
}));

/** `prod, staging` → `['prod', 'staging']`; `*` → every environment. */
export function parseEnvironments(text: string): string[] | '*' {
  if (text.trim() === '*') return '*';
  return text
    .split(',')
    .map(name => name.trim())
    .filter(Boolean);
}

/** A small dialog that runs one request and keeps its error on screen. */
function RequestDialog(props: {
  title: string;
  confirmLabel: string;
  disabled?: boolean;
  run: () => Promise<void>;
  onClose: () => void;
  children: ReactNode;
}) {
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error>();
  async function confirm() {
    setSending(true);
    setError(undefined);
    try {
      await props.run();
    } catch (e) {
      setError(e as Error);
      setSending(false);
    }
  }
  return (
    <Dialog
      open
      onClose={props.onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="gitops-freeze-dialog-title"
    >
      <DialogTitle id="gitops-freeze-dialog-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && (
          <Typography role="alert" variant="body2" color="error">
            {errorMessage(error)}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={props.disabled || sending}
          onClick={confirm}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Declares a freeze: the environments (names, or `*` for all), why, and until when (the
 * browser's local time, sent as an ISO time).
 */
export function DeclareFreezeDialog(props: {
  onClose: () => void;
  onDone: (freeze: GitopsFreeze) => void;
}) {
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const [environments, setEnvironments] = useState('');
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState('');
  const untilTime = until ? new Date(until).getTime() : NaN;
  const parsed = parseEnvironments(environments);
  const valid =
    (parsed === '*' || parsed.length > 0) &&
    reason.trim() !== '' &&
    Number.isFinite(untilTime) &&
    untilTime > Date.now();
  return (
    <RequestDialog
      title="Declare a freeze"
      confirmLabel="Declare freeze"
      disabled={!valid}
      onClose={props.onClose}
      run={async () => {
        props.onDone(
          await api.createFreeze({
            environments: parsed,
            reason: reason.trim(),
            until: new Date(untilTime).toISOString(),
          }),
        );
      }}
    >
      <div className={classes.form}>
        <TextField
          id="gitops-freeze-environments"
          label="Environments"
          value={environments}
          onChange={e => setEnvironments(e.target.value)}
          helperText="Names separated by commas, or * for every environment"
          required
        />
        <TextField
          id="gitops-freeze-reason"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          required
        />
        <TextField
          id="gitops-freeze-until"
          label="Until"
          type="datetime-local"
          value={until}
          onChange={e => setUntil(e.target.value)}
          InputLabelProps={{ shrink: true }}
          helperText="Your local time"
          required
        />
      </div>
    </RequestDialog>
  );
}

/** Lifts a freeze before its end, after saying which one. */
export function LiftFreezeDialog(props: {
  freeze: GitopsFreeze;
  onClose: () => void;
  onDone: () => void;
}) {
  const { freeze } = props;
  const api = useApi(gitopsApiRef);
  return (
    <RequestDialog
      title="Lift the freeze"
      confirmLabel="Lift"
      onClose={props.onClose}
      run={async () => {
        await api.deleteFreeze(freeze.id);
        props.onDone();
      }}
    >
      <Typography variant="body2">
        {freezeSentence(freeze.environments, freeze)}
      </Typography>
      <Typography variant="body2">
        Changes to these environments go through again once it is lifted.
      </Typography>
    </RequestDialog>
  );
}
