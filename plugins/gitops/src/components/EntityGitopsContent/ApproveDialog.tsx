import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import {
  GitopsApproval,
  GitopsVersion,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import {
  errorMessage,
  versionLabel,
  versionValue,
} from '../Policy/policyFormat';

/**
 * Approves the version proposed for an environment, with an optional comment. A refusal
 * (409: the user asked for this promotion, or approved it already; 403) stays in the dialog
 * in the backend's words.
 */
export function ApproveDialog(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  from: string;
  version: GitopsVersion;
  onClose: () => void;
  onApproved: (approval: GitopsApproval) => void;
}) {
  const { entityRef, environment, from, version, onClose, onApproved } = props;
  const api = useApi(gitopsApiRef);
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<Error>();

  async function approve() {
    setSending(true);
    setError(undefined);
    try {
      const approval = await api.approve(entityRef, {
        environment,
        version: versionValue(version),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      onApproved(approval);
    } catch (e) {
      setError(e as Error);
      setSending(false);
    }
  }

  return (
    <Dialog
      open
      onClose={onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="gitops-approve-dialog-title"
    >
      <DialogTitle id="gitops-approve-dialog-title">
        Approve {versionLabel(version)} for {environment}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" gutterBottom>
          {`${entityRef.name} ${versionLabel(
            version,
          )} from ${from} to ${environment}. The approval counts for this version from ${from} only.`}
        </Typography>
        <TextField
          id={`gitops-approval-comment-${environment}`}
          label="Comment (optional)"
          value={comment}
          onChange={e => setComment(e.target.value)}
          fullWidth
          multiline
        />
        {error && (
          <Typography
            role="alert"
            variant="body2"
            color="error"
            style={{ marginTop: 16 }}
          >
            {`Not approved: ${errorMessage(error)}`}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          onClick={approve}
          disabled={sending}
        >
          Approve
        </Button>
      </DialogActions>
    </Dialog>
  );
}
