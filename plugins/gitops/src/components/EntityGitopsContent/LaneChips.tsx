import {
  EnvironmentStatus,
  SyncState,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { statusTextColors } from '../statusTextColors';
import { age } from './age';

const useStyles = makeStyles(theme => ({
  stale: {
    color: statusTextColors(theme).wait,
    borderColor: statusTextColors(theme).wait,
    fontWeight: 500,
  },
}));

const HEALTH_COLOR: Record<string, 'primary' | 'secondary' | 'default'> = {
  Healthy: 'primary',
  Degraded: 'secondary',
  Missing: 'secondary',
};

/** The engine's sync and health, as the lane's header says them. */
export function SyncChips(props: { sync: SyncState | null }) {
  const { sync } = props;
  if (!sync || sync.engine === 'none') {
    return <Chip size="small" label="no engine" variant="outlined" />;
  }
  return (
    <>
      <Chip
        size="small"
        label={sync.status}
        color={sync.status === 'Synced' ? 'primary' : 'default'}
        variant={sync.status === 'Synced' ? 'default' : 'outlined'}
        title={sync.object ?? undefined}
      />
      <Chip
        size="small"
        label={sync.health}
        color={HEALTH_COLOR[sync.health] ?? 'default'}
        title={sync.message ?? undefined}
      />
    </>
  );
}

/**
 * Beside Synced and Healthy when they are old news: the cluster stopped confirming its data
 * (since when) or the repository stopped answering. The lane's body says why in full.
 */
export function StaleChips(props: {
  environment: Pick<EnvironmentStatus, 'live' | 'desired'>;
  now: number;
}) {
  const { live, desired } = props.environment;
  const classes = useStyles();
  return (
    <>
      {live?.stale && (
        <Chip
          size="small"
          variant="outlined"
          className={classes.stale}
          label={
            live.observedAt
              ? `cluster silent for ${age(live.observedAt, props.now).replace(
                  / ago$/,
                  '',
                )}`
              : 'cluster silent'
          }
          title={live.staleReason ?? 'the cluster is not answering'}
        />
      )}
      {desired?.stale && (
        <Chip
          size="small"
          variant="outlined"
          className={classes.stale}
          label="Git not answering"
          title={desired.staleReason ?? 'the repository is not answering'}
        />
      )}
    </>
  );
}
