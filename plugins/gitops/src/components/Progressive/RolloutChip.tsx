import { OverviewEnvironment } from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { rolloutChipLabel, rolloutChipTitle } from './rolloutFormat';
import { FAIL_CHIP_BACKGROUND } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  chip: { marginLeft: theme.spacing(1), verticalAlign: 'middle' },
  Degraded: {
    backgroundColor: FAIL_CHIP_BACKGROUND,
    color: theme.palette.error.contrastText,
  },
  Paused: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  Progressing: {},
  Unknown: {},
}));

/**
 * A fleet cell's progressive rollout in a word: `canary 40 %`, `paused at 20 %`, `aborted`
 * (in the error colour) or `preview` (blue-green); the step on hover. Nothing without one.
 */
export function RolloutChip(props: {
  environment: string;
  rollout?: OverviewEnvironment['rollout'];
}) {
  const { environment, rollout } = props;
  const classes = useStyles();
  if (!rollout) return null;
  return (
    <Tooltip title={rolloutChipTitle(rollout)}>
      <Chip
        size="small"
        variant={rollout.health === 'Progressing' ? 'outlined' : 'default'}
        label={rolloutChipLabel(rollout)}
        className={`${classes.chip} ${classes[rollout.health]}`}
        data-testid={`fleet-rollout-${environment}`}
        data-health={rollout.health}
      />
    </Tooltip>
  );
}
