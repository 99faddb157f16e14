import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentFreeze,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import { LaneEvidence } from '../Evidence/LaneEvidence';
import { localTime } from '../Policy/policyFormat';
import { LaneApprovals } from './LaneApprovals';
import { LaneGates } from './LaneGates';
import { LaneVerification } from './LaneVerification';

/**
 * What the promotion policy says in a lane: the supply-chain evidence of the version it runs
 * with what the policy requires of it, the verification of that version, the gates of the
 * next promotion into it, and its approvals. Each part shows only when the backend answers it.
 */
export function LanePolicy(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
  now: number;
}) {
  return (
    <>
      <LaneEvidence environment={props.environment} />
      <LaneVerification {...props} />
      <LaneGates environment={props.environment} />
      <LaneApprovals {...props} />
    </>
  );
}

/** `frozen until Mon 28 Dec 09:00` in the lane's header, the reason on hover. */
export function FreezeChip(props: { freeze?: EnvironmentFreeze | null }) {
  if (!props.freeze) return null;
  return (
    <Chip
      size="small"
      variant="outlined"
      label={`frozen until ${localTime(props.freeze.until)}`}
      title={`${props.freeze.reason}, set by ${props.freeze.by}`}
    />
  );
}
