import { PromotionGate } from '@gitops-backstage/plugin-gitops-common';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { ChangePermission } from '../EntityGitopsContent/useEnvironmentPermissions';
import { gateLabel, isOverridable } from '../Policy/policyFormat';

const list = (gates: PromotionGate[]) =>
  gates.map(g => gateLabel(g.name)).join(', ');

/**
 * What the dialog says about the gates that block a change: those that cannot be overridden,
 * why the user may not override the rest, or a field for the reason of an override (recorded
 * with the change) when the user holds `gitops.override` on the environment.
 */
export function GateOverride(props: {
  /** The gates in `wait` or `fail`. */
  blocking: PromotionGate[];
  /** The user's `gitops.override` on the environment; none: no override offered. */
  permission?: ChangePermission;
  reason: string;
  onReason: (reason: string) => void;
}) {
  const { blocking, permission, reason, onReason } = props;
  if (blocking.length === 0 || !permission) return null;
  const fixed = blocking.filter(g => !isOverridable(g));
  if (fixed.length > 0) {
    return (
      <Typography variant="body2" color="error">
        {`${list(
          fixed,
        )} cannot be overridden: the change needs Git or the evidence to change first.`}
      </Typography>
    );
  }
  if (!permission.allowed) {
    return (
      <Typography variant="caption" component="div" color="textSecondary">
        {permission.reason}
      </Typography>
    );
  }
  return (
    <TextField
      id="gitops-override-reason"
      label="Override with a reason"
      value={reason}
      onChange={e => onReason(e.target.value)}
      fullWidth
      multiline
      helperText={`Proceeds past ${list(
        blocking,
      )}; the reason and your name are recorded with the change`}
    />
  );
}
