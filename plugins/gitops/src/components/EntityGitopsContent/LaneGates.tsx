import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { GateChecklist } from '../Policy/GateChecklist';
import { blockingGates, gateLabel, versionLabel } from '../Policy/policyFormat';
import { useLaneStyles } from './laneStyles';

/**
 * The gates of the next promotion into this environment from its source, as the policy sees
 * them now: what the promote arrow would run into, before anybody opens the dialog.
 */
export function LaneGates(props: { environment: EnvironmentStatus }) {
  const { name, gates } = props.environment;
  const classes = useLaneStyles();
  if (!gates) return null;
  const blocking = blockingGates(gates.items);
  return (
    <section aria-label={`Gates of the next promotion to ${name}`}>
      <div className={classes.label}>Next promotion from {gates.from}</div>
      <Typography variant="body2">
        {versionLabel(gates.version)}
        {' · '}
        {blocking.length === 0
          ? 'every gate passes'
          : `held back by ${blocking.map(g => gateLabel(g.name)).join(', ')}`}
      </Typography>
      <GateChecklist
        gates={gates.items}
        label={`Next promotion from ${gates.from} to ${name}`}
        dense
      />
    </section>
  );
}
