import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { useLaneStyles } from '../EntityGitopsContent/laneStyles';
import { EvidenceDetails } from './EvidenceDetails';
import { EvidenceLine } from './EvidenceLine';
import { supplyChainRequirements } from './evidenceFormat';

/**
 * The supply chain of the version an environment runs, in its lane: the evidence line (the
 * details in a dialog on click) and what the environment's policy requires of a version.
 * Nothing when the backend says nothing of either.
 */
export function LaneEvidence(props: { environment: EnvironmentStatus }) {
  const { name, evidence, policy } = props.environment;
  const lane = useLaneStyles();
  const [open, setOpen] = useState(false);
  const requirements = policy?.supplyChain
    ? supplyChainRequirements(policy.supplyChain)
    : [];
  if (evidence === undefined && requirements.length === 0) return null;
  const titleId = `gitops-evidence-title-${name}`;
  return (
    <section aria-label={`Supply chain of ${name}`}>
      <div className={lane.label}>Supply chain</div>
      {evidence ? (
        <EvidenceLine evidence={evidence} onOpen={() => setOpen(true)} />
      ) : (
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="evidence-line-empty"
        >
          No supply-chain evidence read yet
        </Typography>
      )}
      {requirements.length > 0 && (
        <Typography
          variant="caption"
          component="div"
          color="textSecondary"
          data-testid="lane-supply-chain-policy"
        >
          {`requires: ${requirements.join(' · ')}`}
        </Typography>
      )}
      {open && evidence && (
        <Dialog
          open
          onClose={() => setOpen(false)}
          maxWidth="md"
          fullWidth
          aria-labelledby={titleId}
        >
          <DialogTitle id={titleId}>{`Supply chain in ${name}`}</DialogTitle>
          <DialogContent>
            <EvidenceDetails evidence={evidence} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(false)}>Close</Button>
          </DialogActions>
        </Dialog>
      )}
    </section>
  );
}
