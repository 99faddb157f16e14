import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentStatus,
  LiveState,
} from '@gitops-backstage/plugin-gitops-common';
import Card from '@material-ui/core/Card';
import CardContent from '@material-ui/core/CardContent';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { EnvironmentActions } from '../EnvironmentActions/EnvironmentActions';
import { LaneRollout } from '../Progressive';
import { EngineActions } from './EngineActions';
import { CommitLink, GitFileLink } from './GitLinks';
import { LaneActivity } from './LaneActivity';
import { LaneAutomation } from './LaneAutomation';
import { LaneBehind } from './LaneBehind';
import { StaleChips, SyncChips } from './LaneChips';
import { LaneHistory } from './LaneHistory';
import { FreezeChip, LanePolicy } from './LanePolicy';
import {
  describeVersionGap,
  formatResources,
  formatScaling,
  formatVersion,
  runningVersion,
  versionGap,
} from '../../lib';
import { age } from './age';
import { statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  lane: {
    height: '100%',
    display: 'flex',
    flexDirection: 'column',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
    // Long hints and messages wrap inside the lane instead of being cut at its edge.
    overflowWrap: 'anywhere',
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  label: {
    color: theme.palette.text.secondary,
    textTransform: 'uppercase',
    fontSize: theme.typography.caption.fontSize,
    letterSpacing: '0.05em',
  },
  version: { fontSize: theme.typography.h6.fontSize, fontWeight: 500 },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  problem: { marginBottom: theme.spacing(1) },
  stale: { color: statusTextColors(theme).wait, fontWeight: 500 },
}));

/** Updated / ready / desired as a bar: how far a rollout has come. */
function Rollout(props: { live: LiveState }) {
  const { replicas, rollout, autoscaling } = props.live;
  const desired = autoscaling?.currentReplicas ?? replicas?.desired ?? 0;
  const ready = replicas?.ready ?? 0;
  const updated = replicas?.updated ?? 0;
  return (
    <div>
      <LinearProgress
        variant="buffer"
        value={desired ? (100 * ready) / desired : 0}
        valueBuffer={desired ? (100 * updated) / desired : 0}
        aria-label={`${ready} of ${desired} ready`}
      />
      <Typography variant="caption">
        {`${updated} updated · ${ready}/${desired} ready`}
        {rollout.status !== 'Complete' &&
          ` · rollout ${rollout.status.toLowerCase()}`}
      </Typography>
      {rollout.message && (
        <Typography variant="caption" component="div" color="textSecondary">
          {rollout.message}
        </Typography>
      )}
    </div>
  );
}

/** The autoscaler between its bounds, and each metric against its target. */
function Autoscaling(props: { live: LiveState }) {
  const hpa = props.live.autoscaling!;
  const min = hpa.minReplicas ?? 1;
  const max = hpa.maxReplicas ?? min;
  const current = hpa.currentReplicas ?? min;
  const span = Math.max(1, max - min);
  return (
    <div aria-label="autoscaling">
      <LinearProgress
        variant="determinate"
        value={(100 * (current - min)) / span}
        color={current >= max ? 'secondary' : 'primary'}
        aria-label={`autoscaler at ${current} replicas, between ${min} and ${max}`}
      />
      <Typography variant="caption">
        {`HPA ${min} – ${current} – ${max}`}
        {hpa.metrics.map(
          m => ` · ${m.name} ${m.current ?? '?'}% / ${m.target ?? '?'}%`,
        )}
      </Typography>
    </div>
  );
}

/**
 * One environment as a lane: what Git asks for and where, what runs and how far the rollout
 * is, sync and health, scaling, drift, problems with what to do, newer versions, and the age of
 * the cluster's data; the changes a user can make at the bottom.
 */
export function EnvironmentLane(props: {
  environment: EnvironmentStatus;
  previous?: string;
  /** The lane before this one in the promotion order, for how far this one is behind. */
  before?: EnvironmentStatus;
  /** Changes when an action on the entity changed: the lane's Git activity is read again. */
  activityKey?: number;
  entityRef: CompoundEntityRef;
  onChanged: () => void;
  now: number;
}) {
  const {
    environment,
    previous,
    before,
    activityKey,
    entityRef,
    onChanged,
    now,
  } = props;
  const gap = before
    ? describeVersionGap(versionGap(environment, before), before.name)
    : undefined;
  const { name, desired, live, sync, registry, problems, error } = environment;
  const classes = useStyles();
  const origin =
    desired?.origins?.tag ??
    desired?.origins?.digest ??
    desired?.origins?.chartVersion;
  const drift = environment.drift ?? [];
  // The API lists a stale cluster among the warnings too; the lane says it once, under what
  // runs, where it applies.
  const warnings = [
    ...(desired?.warnings ?? []),
    ...(environment.warnings ?? []),
  ].filter(w => w !== live?.staleReason);
  return (
    <Card
      variant="outlined"
      className={classes.lane}
      role="region"
      aria-label={`Environment ${name}`}
    >
      <CardContent className={classes.content}>
        <div className={classes.header}>
          <Typography variant="h6" component="h3">
            {name}
          </Typography>
          <SyncChips sync={sync} />
          <StaleChips environment={environment} now={now} />
          <FreezeChip freeze={environment.freeze} />
        </div>

        <section aria-label={`Git version of ${name}`}>
          <div className={classes.label}>Git</div>
          {desired ? (
            <>
              <div className={classes.version}>
                {formatVersion(desired, sync?.chartVersion)}
              </div>
              {desired.imageSource === 'chartDefaults' && (
                <Typography variant="caption" component="div">
                  image from the chart&apos;s defaults (not in Git)
                </Typography>
              )}
              {desired.stale && (
                <Typography
                  variant="caption"
                  component="div"
                  className={classes.stale}
                >
                  stale:{' '}
                  {desired.staleReason ?? 'the repository is not answering'}
                </Typography>
              )}
              <Typography
                variant="caption"
                component="div"
                color="textSecondary"
              >
                <GitFileLink
                  repo={desired.source.repo}
                  revision={desired.source.revision}
                  path={origin?.file ?? desired.source.path}
                  line={origin?.line}
                >
                  {origin
                    ? `${origin.file}:${origin.line}`
                    : desired.source.path}
                </GitFileLink>
                {' @ '}
                <CommitLink
                  repo={desired.source.repo}
                  revision={desired.source.revision}
                />
              </Typography>
            </>
          ) : (
            <Typography variant="body2" color="error">
              {error ?? 'Git sets no state for this environment'}
            </Typography>
          )}
        </section>

        {desired && (
          <section aria-label={`Where ${name} stands`}>
            {gap && (
              <Typography variant="caption" component="div">
                {gap}
              </Typography>
            )}
            <LaneActivity
              entityRef={entityRef}
              environment={name}
              revision={desired.source.revision}
              activityKey={activityKey}
              now={now}
            />
            {before?.desired && gap && !/^same version/.test(gap) && (
              <LaneBehind
                entityRef={entityRef}
                environment={name}
                before={before.name}
              />
            )}
          </section>
        )}

        {registry && registry.newer.length > 0 && (
          <section aria-label={`Newer versions for ${name}`}>
            <div className={classes.label}>Newer in the registry</div>
            <Typography variant="body2">{registry.newer.join(', ')}</Typography>
          </section>
        )}

        <LaneAutomation
          environment={environment}
          now={now}
          entityRef={entityRef}
          onChanged={onChanged}
        />

        {live && (
          <section aria-label={`Running in ${name}`}>
            <div className={classes.label}>
              Running in {live.cluster}/{live.namespace}
            </div>
            {live.workload ? (
              <>
                <Typography variant="body2">
                  {live.images.map(runningVersion).join(', ') || '—'}
                </Typography>
                <Rollout live={live} />
              </>
            ) : (
              <Typography variant="body2">not found in the cluster</Typography>
            )}
            <Typography
              variant="caption"
              component="div"
              className={live.stale ? classes.stale : undefined}
            >
              {live.stale
                ? `stale: ${live.staleReason ?? 'the cluster is not answering'}`
                : live.observedAt && `data from ${age(live.observedAt, now)}`}
            </Typography>
          </section>
        )}

        <LaneRollout
          environment={environment}
          entityRef={entityRef}
          onChanged={onChanged}
        />

        {desired && (
          <section aria-label={`Scaling of ${name}`}>
            <div className={classes.label}>Scaling</div>
            {live?.autoscaling ? (
              <Autoscaling live={live} />
            ) : (
              <Typography variant="body2">
                {desired.replicas === null &&
                !desired.autoscaling &&
                desired.imageSource === 'chartDefaults'
                  ? "the chart's default (not in Git)"
                  : formatScaling(desired)}
              </Typography>
            )}
            <Typography variant="caption" color="textSecondary">
              {formatResources(desired.resources)}
            </Typography>
          </section>
        )}

        {drift.length > 0 && (
          <section aria-label={`Drift in ${name}`}>
            <div className={classes.label}>Drift from Git</div>
            <ul className={classes.list}>
              {drift.map(d => (
                <li key={d.field}>
                  <Typography variant="body2">
                    {`${d.field}: Git ${d.desired ?? '—'}, cluster ${
                      d.live ?? '—'
                    }`}
                  </Typography>
                </li>
              ))}
            </ul>
          </section>
        )}

        {(problems.length > 0 || (error && desired)) && (
          <section aria-label={`Problems in ${name}`}>
            <div className={classes.label}>Problems</div>
            {error && desired && (
              <Typography variant="body2" color="error">
                {error}
              </Typography>
            )}
            <ul className={classes.list}>
              {problems.map((problem, index) => (
                <li
                  key={`${problem.type} ${problem.object ?? index}`}
                  className={classes.problem}
                >
                  <Typography variant="body2">
                    <strong>{problem.type}</strong>: {problem.message}
                  </Typography>
                  {problem.object && (
                    <Typography variant="caption" component="div">
                      on {problem.object}
                    </Typography>
                  )}
                  <Typography variant="body2" color="textSecondary">
                    <em>{problem.hint}</em>
                  </Typography>
                </li>
              ))}
            </ul>
          </section>
        )}

        {warnings.length > 0 && (
          <section aria-label={`Warnings for ${name}`}>
            <ul className={classes.list}>
              {warnings.map(w => (
                <li key={w}>
                  <Typography variant="caption">{w}</Typography>
                </li>
              ))}
            </ul>
          </section>
        )}

        <LanePolicy
          entityRef={entityRef}
          environment={environment}
          onChanged={onChanged}
          now={now}
        />

        <EnvironmentActions
          entityRef={entityRef}
          environment={environment}
          previous={previous}
          onChanged={onChanged}
          promote={false}
        />
        <EngineActions
          entityRef={entityRef}
          environment={environment}
          onChanged={onChanged}
        />
        <LaneHistory
          entityRef={entityRef}
          environment={environment}
          onChanged={onChanged}
        />
      </CardContent>
    </Card>
  );
}
