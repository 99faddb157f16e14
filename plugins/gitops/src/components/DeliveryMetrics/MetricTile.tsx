import { DoraMetric } from '@gitops-backstage/plugin-gitops-common';
import Paper from '@material-ui/core/Paper';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { BandChip } from './BandChip';
import {
  formatMetricValue,
  formatSamples,
  formatTarget,
} from './deliveryFormat';
import { MetricDefinition } from './metricDefinitions';
import { statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  tile: {
    padding: theme.spacing(1.5, 2),
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  },
  title: {
    textDecoration: 'underline dotted',
    cursor: 'help',
    alignSelf: 'flex-start',
  },
  value: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  met: { color: statusTextColors(theme).ok },
  missed: { color: statusTextColors(theme).fail },
}));

/** One DORA metric of an environment: value and unit, band, samples and target. */
export function MetricTile(props: {
  definition: MetricDefinition;
  metric: DoraMetric;
  failureWindowHours: number;
}) {
  const classes = useStyles();
  const { definition, metric, failureWindowHours } = props;
  let targetClass: string | undefined;
  if (metric.target.met === true) targetClass = classes.met;
  if (metric.target.met === false) targetClass = classes.missed;
  return (
    <Paper
      variant="outlined"
      className={classes.tile}
      role="group"
      aria-label={definition.title}
    >
      <Tooltip title={definition.describe({ failureWindowHours })}>
        {/* Focusable, so keyboard users reach the definition too. */}
        <Typography variant="subtitle2" className={classes.title} tabIndex={0}>
          {definition.title}
        </Typography>
      </Tooltip>
      <div className={classes.value}>
        <Typography variant="h5" component="span" data-testid="metric-value">
          {formatMetricValue(metric)}
        </Typography>
        <BandChip band={metric.band} />
      </div>
      <Typography variant="caption" color="textSecondary">
        {formatSamples(metric.samples, definition.sample)}
      </Typography>
      <Typography variant="caption" className={targetClass}>
        {formatTarget(metric)}
      </Typography>
    </Paper>
  );
}
