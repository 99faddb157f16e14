import {
  ProgressiveRollout,
  RolloutSide,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { useProgressiveStyles } from './progressiveStyles';
import { sideVersion } from './rolloutFormat';

/** What each side is called: stable/canary, active/preview (blue-green), primary/canary (Flagger). */
function sideNames(rollout: ProgressiveRollout): [string, string] {
  if (rollout.strategy === 'blueGreen') return ['Active', 'Preview'];
  return rollout.controller === 'flagger'
    ? ['Primary', 'Canary']
    : ['Stable', 'Canary'];
}

function Side(props: {
  title: string;
  side: RolloutSide | null;
  environment: string;
}) {
  const { title, side, environment } = props;
  const classes = useProgressiveStyles();
  return (
    <div
      role="group"
      aria-label={`${title} in ${environment}`}
      className={classes.side}
    >
      <Typography variant="caption" color="textSecondary" component="div">
        {title}
      </Typography>
      <Typography
        variant="body2"
        className={classes.sideVersion}
        title={side?.image ?? undefined}
      >
        {sideVersion(side)}
      </Typography>
      {side && (
        <Typography variant="caption" component="div">
          {`${side.ready}/${side.pods} ready`}
          {side.revision && ` · ${side.revision}`}
        </Typography>
      )}
    </div>
  );
}

/** The version that serves and the one rolled out, side by side: image tag, pods, revision. */
export function RolloutSides(props: {
  rollout: ProgressiveRollout;
  environment: string;
}) {
  const { rollout, environment } = props;
  const classes = useProgressiveStyles();
  if (!rollout.stable && !rollout.canary) return null;
  const [stableName, canaryName] = sideNames(rollout);
  return (
    <div className={classes.sides}>
      <Side
        title={stableName}
        side={rollout.stable}
        environment={environment}
      />
      <Side
        title={canaryName}
        side={rollout.canary}
        environment={environment}
      />
    </div>
  );
}
