import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { AutomationPause } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { errorMessage } from '../Policy/policyFormat';
import { PermittedButton } from './PermittedButton';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

/**
 * Pauses the portal's automation of an environment (with a reason, shown in the lane) or
 * resumes it; `gitops.automation.manage`. A refusal stays on screen in the backend's words.
 */
export function PauseAutomation(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  pause: AutomationPause | null;
  onChanged: () => void;
}) {
  const { entityRef, environment, pause, onChanged } = props;
  const api = useApi(gitopsApiRef);
  const { automation } = useEnvironmentPermissions(entityRef, environment);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error>();

  async function send(paused: boolean) {
    setSending(true);
    setError(undefined);
    try {
      await api.setAutomationPaused(entityRef, {
        environment,
        paused,
        ...(paused && reason.trim() ? { reason: reason.trim() } : {}),
      });
      setAsking(false);
      onChanged();
    } catch (e) {
      setError(e as Error);
    } finally {
      setSending(false);
    }
  }

  return (
    <>
      <PermittedButton
        size="small"
        permission={automation}
        disabled={sending}
        // The visible text, then the environment: "Pause automation of staging".
        aria-label={`${
          pause ? 'Resume' : 'Pause'
        } automation of ${environment}`}
        onClick={() => (pause ? send(false) : setAsking(true))}
      >
        {pause ? 'Resume automation' : 'Pause automation'}
      </PermittedButton>
      {error && !asking && (
        <Typography role="alert" variant="caption" color="error">
          {errorMessage(error)}
        </Typography>
      )}
      {asking && (
        <Dialog
          open
          onClose={() => setAsking(false)}
          maxWidth="sm"
          fullWidth
          aria-labelledby="gitops-pause-dialog-title"
        >
          <DialogTitle id="gitops-pause-dialog-title">
            Pause the automation of {environment}
          </DialogTitle>
          <DialogContent>
            <Typography variant="body2" gutterBottom>
              {`No version moves into ${environment} of ${entityRef.name} by itself until it is resumed; what is due waits.`}
            </Typography>
            <TextField
              id={`gitops-automation-reason-${environment}`}
              label="Reason (optional)"
              value={reason}
              onChange={e => setReason(e.target.value)}
              fullWidth
            />
            {error && (
              <Typography role="alert" variant="body2" color="error">
                {errorMessage(error)}
              </Typography>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setAsking(false)}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={sending}
              onClick={() => send(true)}
            >
              Pause
            </Button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}
