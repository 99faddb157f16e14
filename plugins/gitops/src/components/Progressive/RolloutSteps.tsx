import {
  ProgressiveRollout,
  RolloutStep,
} from '@gitops-backstage/plugin-gitops-common';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { useProgressiveStyles } from './progressiveStyles';
import {
  StepState,
  flaggerChecks,
  stepState,
  stepSummary,
} from './rolloutFormat';

const STATE_WORDS: Record<StepState, string> = {
  done: 'done',
  current: 'current',
  todo: 'to do',
};

/** What a step's cell shows: the weight it sets, else what kind of step it is. */
function cellText(step: RolloutStep): string {
  if (step.weight !== null) return `${step.weight} %`;
  return step.kind === 'other' ? '·' : step.kind;
}

/** One cell per canary step: done, current (highlighted; red when aborted) or to do. */
function StepStrip(props: {
  rollout: ProgressiveRollout;
  environment: string;
}) {
  const { rollout, environment } = props;
  const classes = useProgressiveStyles();
  // A Healthy rollout has run every step.
  const current = rollout.health === 'Healthy' ? null : rollout.step;
  const complete = rollout.health === 'Healthy';
  const currentClass = rollout.aborted
    ? classes.currentFailed
    : classes.current;
  return (
    <ol
      className={classes.strip}
      aria-label={`Steps of the rollout in ${environment}`}
    >
      {rollout.stepList.map((step, index) => {
        const state = complete ? 'done' : stepState(index, current);
        const stateClass = state === 'current' ? currentClass : classes[state];
        return (
          <li
            // Steps have no identity but their place.
            // eslint-disable-next-line react/no-array-index-key
            key={index}
            className={`${classes.step} ${stateClass}`}
            data-state={state}
            aria-current={state === 'current' ? 'step' : undefined}
            title={`Step ${index + 1}: ${step.label}`}
          >
            <span aria-hidden="true">{cellText(step)}</span>
            <span className={classes.hidden}>
              {`Step ${index + 1}: ${step.label}, ${STATE_WORDS[state]}`}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** Flagger: the canary's weight toward its maximum, and the failed checks against the threshold. */
function FlaggerWeight(props: { rollout: ProgressiveRollout }) {
  const { rollout } = props;
  const classes = useProgressiveStyles();
  const weight = rollout.weight ?? 0;
  const max = rollout.maxWeight ?? 100;
  const { failed, threshold } = flaggerChecks(rollout);
  return (
    <div>
      <LinearProgress
        variant="determinate"
        value={max > 0 ? Math.min(100, (100 * weight) / max) : 0}
        aria-label={`canary weight ${weight} % of ${max} %`}
      />
      <Typography
        variant="caption"
        component="div"
        data-testid="rollout-failed-checks"
        className={failed > 0 ? classes.failing : undefined}
      >
        {`failed checks ${failed}${
          threshold === null ? '' : ` of ${threshold}`
        }`}
      </Typography>
    </div>
  );
}

/**
 * How far the rollout has come: a strip of the canary's steps (Argo Rollouts), or the weight
 * toward its maximum with the failed checks (Flagger), and `step 3 of 6 · weight 40 %`.
 */
export function RolloutSteps(props: {
  rollout: ProgressiveRollout;
  environment: string;
}) {
  const { rollout, environment } = props;
  const summary = stepSummary(rollout);
  const flagger = rollout.controller === 'flagger';
  return (
    <div>
      {!flagger && rollout.stepList.length > 0 && (
        <StepStrip rollout={rollout} environment={environment} />
      )}
      {flagger && <FlaggerWeight rollout={rollout} />}
      {summary && (
        <Typography
          variant="body2"
          component="div"
          data-testid="rollout-summary"
        >
          {summary}
        </Typography>
      )}
    </div>
  );
}
