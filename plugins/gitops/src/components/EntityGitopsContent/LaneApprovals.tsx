import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { errorMessage, localTime, versionLabel } from '../Policy/policyFormat';
import { ApproveDialog } from './ApproveDialog';
import { useLaneStyles } from './laneStyles';
import { PermittedButton } from './PermittedButton';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

const NOTHING_PROPOSED = {
  allowed: false,
  loading: false,
  reason: 'Nothing to approve: no promotion is proposed',
};

function Approvals(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
}) {
  const { entityRef, environment, onChanged } = props;
  const { name, gates, policy } = environment;
  const api = useApi(gitopsApiRef);
  const lane = useLaneStyles();
  const permissions = useEnvironmentPermissions(entityRef, name);
  const [approving, setApproving] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const proposed = gates?.version ?? null;
  // Read again when the proposal or its approvals gate moves (somebody else approved).
  const gateMessage = gates?.items.find(g => g.name === 'approvals')?.message;
  const { value, error } = useAsync(
    () => api.getApprovals(entityRef, name),
    [api, entityRef, name, versionLabel(proposed), gateMessage, reloadKey],
  );
  const required = policy!.requiredApprovals;
  // What the gate counts (approvers only, never the requester); the list below shows them all.
  const counted = gates?.items.find(g => g.name === 'approvals')?.evidence
    ?.approvedBy;
  let given = '…';
  if (Array.isArray(counted)) given = String(counted.length);
  else if (value) given = String(value.items.length);
  return (
    <section aria-label={`Approvals of ${name}`}>
      <div className={lane.label}>Approvals</div>
      <Typography variant="body2">
        {`Approvals ${given} of ${required}`}
        {gates &&
          proposed &&
          ` for ${versionLabel(proposed)} from ${gates.from}`}
      </Typography>
      {policy!.approvers.length > 0 && (
        <Typography variant="caption" component="div" color="textSecondary">
          Approvers: {policy!.approvers.join(', ')}
        </Typography>
      )}
      {error && (
        <Typography variant="caption" component="div" color="error">
          {`Approvals could not be read: ${errorMessage(error)}`}
        </Typography>
      )}
      {value && value.items.length > 0 && (
        <ul className={lane.list} aria-label={`Approvals given for ${name}`}>
          {value.items.map(approval => (
            <li key={approval.id}>
              <Typography variant="caption" component="div">
                {`${approval.approver} · ${localTime(approval.createdAt)}`}
              </Typography>
              {approval.comment && (
                <Typography
                  variant="caption"
                  component="div"
                  color="textSecondary"
                >
                  <em>{approval.comment}</em>
                </Typography>
              )}
            </li>
          ))}
        </ul>
      )}
      <PermittedButton
        permission={proposed ? permissions.approve : NOTHING_PROPOSED}
        size="small"
        variant="outlined"
        onClick={() => setApproving(true)}
        aria-label={
          proposed
            ? `Approve ${versionLabel(proposed)} for ${name}`
            : `Approve for ${name}`
        }
      >
        Approve
      </PermittedButton>
      {approving && gates && proposed && (
        <ApproveDialog
          entityRef={entityRef}
          environment={name}
          from={gates.from}
          version={proposed}
          onClose={() => setApproving(false)}
          onApproved={() => {
            setApproving(false);
            setReloadKey(key => key + 1);
            onChanged();
          }}
        />
      )}
    </section>
  );
}

/**
 * The approvals of an environment whose policy requires them: how many of how many the
 * version proposed now has, who approved when and with what comment, and an Approve button
 * (disabled with the reason without `gitops.approve`).
 */
export function LaneApprovals(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
}) {
  if (!((props.environment.policy?.requiredApprovals ?? 0) > 0)) return null;
  return <Approvals {...props} />;
}
