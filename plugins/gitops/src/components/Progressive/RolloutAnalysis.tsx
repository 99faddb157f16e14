import {
  RolloutAnalysis as Analysis,
  RolloutAnalysisMetric,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useLaneStyles } from '../EntityGitopsContent/laneStyles';
import { useProgressiveStyles } from './progressiveStyles';
import {
  measurementValue,
  metricCondition,
  metricCounts,
  phaseTone,
} from './rolloutFormat';

const ANALYSIS_TYPES: Record<Analysis['type'], string> = {
  step: 'step analysis',
  background: 'background analysis',
  prePromotion: 'pre-promotion analysis',
  postPromotion: 'post-promotion analysis',
  canary: 'canary checks',
};

/** A phase on a small chip: Failed and Error in the error colour, Inconclusive in the warning one. */
function PhaseChip(props: { phase: string }) {
  const classes = useProgressiveStyles();
  return (
    <Chip
      size="small"
      variant="outlined"
      label={props.phase}
      className={classes[phaseTone(props.phase)]}
    />
  );
}

function Metric(props: {
  metric: RolloutAnalysisMetric;
  /** Flagger's checks: only failures are counted. */
  failuresOnly: boolean;
}) {
  const { metric, failuresOnly } = props;
  const classes = useProgressiveStyles();
  const lane = useLaneStyles();
  const tone = phaseTone(metric.phase);
  return (
    <li
      className={classes.metric}
      data-testid={`rollout-metric-${metric.name}`}
      data-phase={metric.phase}
    >
      <div className={lane.row}>
        <Typography
          variant="body2"
          component="span"
          className={tone === 'bad' ? classes.failing : undefined}
          title={metric.query ?? undefined}
        >
          <strong>{metric.name}</strong>
        </Typography>
        <PhaseChip phase={metric.phase} />
        {metric.provider && (
          <Typography variant="caption" color="textSecondary">
            {metric.provider}
          </Typography>
        )}
      </div>
      <Typography variant="caption" component="div">
        {metricCondition(metric)}
      </Typography>
      <Typography
        variant="caption"
        component="div"
        className={metric.failed > 0 ? classes.failing : undefined}
      >
        {metricCounts(metric, failuresOnly)}
      </Typography>
      {metric.measurements.length > 0 && (
        <ol
          className={classes.measurements}
          aria-label={`Last measurements of ${metric.name}`}
        >
          {metric.measurements.map((m, index) => (
            <li
              // Newest last; a measurement has no identity but its place.
              // eslint-disable-next-line react/no-array-index-key
              key={index}
              className={`${classes.measurement} ${
                classes[phaseTone(m.phase)]
              }`}
              data-phase={m.phase}
              title={[m.finishedAt, m.message].filter(Boolean).join(' · ')}
            >
              {`${measurementValue(m.value)} ${m.phase}`}
            </li>
          ))}
        </ol>
      )}
      {metric.message && (
        <Typography variant="caption" component="div" color="textSecondary">
          {metric.message}
        </Typography>
      )}
    </li>
  );
}

/**
 * The analysis that decides the rollout (or last did): its state, and each metric with its
 * condition, its counts against the failure limit and its last measurements, newest last.
 */
export function RolloutAnalysis(props: {
  analysis: Analysis;
  environment: string;
}) {
  const { analysis, environment } = props;
  const lane = useLaneStyles();
  return (
    <section aria-label={`Analysis of the rollout in ${environment}`}>
      <div className={lane.row}>
        <Typography variant="body2" component="span">
          {`${ANALYSIS_TYPES[analysis.type] ?? 'analysis'} ${analysis.name}`}
        </Typography>
        <PhaseChip phase={analysis.state} />
      </div>
      {analysis.revision && (
        <Typography variant="caption" component="div" color="textSecondary">
          {`of revision ${analysis.revision}`}
        </Typography>
      )}
      {analysis.message && (
        <Typography variant="caption" component="div" color="textSecondary">
          {analysis.message}
        </Typography>
      )}
      {analysis.metrics.length > 0 && (
        <ul className={lane.list}>
          {analysis.metrics.map(metric => (
            <Metric
              key={metric.name}
              metric={metric}
              failuresOnly={analysis.type === 'canary'}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
