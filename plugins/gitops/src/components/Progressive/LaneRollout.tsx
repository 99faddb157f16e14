import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentStatus,
  ProgressiveRollout,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { useLaneStyles } from '../EntityGitopsContent/laneStyles';
import { useProgressiveStyles } from './progressiveStyles';
import { RolloutActions } from './RolloutActions';
import { RolloutAnalysis } from './RolloutAnalysis';
import { RolloutSides } from './RolloutSides';
import { RolloutSteps } from './RolloutSteps';
import { CONTROLLER_NAMES, failedMetrics, metricCounts } from './rolloutFormat';

const HEALTH_TONES: Record<
  ProgressiveRollout['health'],
  'good' | 'bad' | 'poor' | 'plain'
> = {
  Healthy: 'good',
  Progressing: 'plain',
  Paused: 'poor',
  Degraded: 'bad',
  Unknown: 'plain',
};

/** Why the rollout stopped: the pause's reason, or the abort's message and the failed metrics. */
function Stopped(props: { rollout: ProgressiveRollout }) {
  const { rollout } = props;
  const classes = useProgressiveStyles();
  if (rollout.aborted) {
    const failed = failedMetrics(rollout);
    return (
      <div
        role="alert"
        className={classes.aborted}
        data-testid="rollout-aborted"
      >
        <Typography variant="body2" component="div">
          {`Aborted: ${
            rollout.aborted.message ?? rollout.message ?? 'no reason given'
          }`}
        </Typography>
        {failed.map(metric => (
          <Typography key={metric.name} variant="caption" component="div">
            {`failed metric ${metric.name}: ${metricCounts(
              metric,
              rollout.controller === 'flagger',
            )}`}
          </Typography>
        ))}
      </div>
    );
  }
  if (!rollout.paused) return null;
  return (
    <Typography
      variant="body2"
      className={classes.stopped}
      data-testid="rollout-paused"
    >
      {`Paused: ${rollout.paused}`}
    </Typography>
  );
}

/**
 * The progressive rollout of an environment in its lane (Argo Rollouts or Flagger): its state,
 * why it stopped, how far it has come, the stable and canary sides, the analysis, and what the
 * controller can be asked. Nothing when the environment has no rollout.
 */
export function LaneRollout(props: {
  environment: EnvironmentStatus;
  entityRef: CompoundEntityRef;
  onChanged: () => void;
}) {
  const { environment, entityRef, onChanged } = props;
  const { name, rollout } = environment;
  const lane = useLaneStyles();
  const classes = useProgressiveStyles();
  if (!rollout) return null;
  const strategy = rollout.strategy === 'blueGreen' ? 'blue-green' : 'canary';
  return (
    <section
      aria-label={`Progressive rollout of ${name}`}
      className={classes.section}
    >
      <div className={lane.row}>
        <div className={lane.label}>Progressive delivery</div>
        <Chip
          size="small"
          label={rollout.health}
          className={classes[HEALTH_TONES[rollout.health]]}
          title={rollout.phase}
          data-testid="rollout-health"
        />
      </div>
      <Typography variant="caption" color="textSecondary" component="div">
        {`${CONTROLLER_NAMES[rollout.controller]} ${strategy} · ${
          rollout.kind
        } ${rollout.namespace}/${rollout.name}`}
      </Typography>
      <Stopped rollout={rollout} />
      {!rollout.aborted && !rollout.paused && rollout.message && (
        <Typography variant="caption" component="div">
          {rollout.message}
        </Typography>
      )}
      <RolloutSteps rollout={rollout} environment={name} />
      <RolloutSides rollout={rollout} environment={name} />
      {rollout.analysis && (
        <RolloutAnalysis analysis={rollout.analysis} environment={name} />
      )}
      <RolloutActions
        entityRef={entityRef}
        environment={environment}
        rollout={rollout}
        onChanged={onChanged}
      />
    </section>
  );
}
