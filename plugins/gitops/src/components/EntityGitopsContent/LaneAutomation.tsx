import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  PortalAutomationEntry,
  EnvironmentAutomation,
  EnvironmentAutomationEngine,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { age } from './age';
import { useLaneStyles } from './laneStyles';
import { PauseAutomation } from './PauseAutomation';
import { statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  entry: { marginBottom: theme.spacing(0.5) },
  conflict: { color: statusTextColors(theme).wait },
}));

const ENGINE_LABELS: Record<EnvironmentAutomationEngine, string> = {
  'flux-image-automation': 'Flux image automation',
  'argocd-image-updater': 'Argo CD Image Updater',
  portal: "the portal's auto-promotion",
};

/**
 * "dev follows ^1.x via Flux image automation, last update 3 min ago"; for the portal,
 * "auto: takes versions verified in dev".
 */
export function describeAutomation(
  environment: string,
  entry: EnvironmentAutomation,
  now: number,
): string {
  const paused = entry.paused
    ? ` (${entry.engine === 'portal' ? 'paused' : 'suspended'})`
    : '';
  if (entry.engine === 'portal') {
    const what =
      entry.policy ??
      (entry.from ? `takes versions verified in ${entry.from}` : 'on');
    return `auto: ${what}${paused}`;
  }
  const policy = entry.policy ?? 'the newest image';
  const last = entry.lastUpdateAt
    ? `last update ${age(entry.lastUpdateAt, now)}`
    : 'no update yet';
  return `${environment} follows ${policy} via ${
    ENGINE_LABELS[entry.engine]
  }${paused}, ${last}`;
}

function isPortal(
  entry: EnvironmentAutomation,
): entry is PortalAutomationEntry {
  return entry.engine === 'portal' && 'kind' in entry;
}

/** The engine whose image automation would apply to an environment, from what deploys it. */
function ownEngine(environment: EnvironmentStatus) {
  if (environment.sync?.engine === 'flux') return 'flux-image-automation';
  if (environment.sync?.engine === 'argocd') return 'argocd-image-updater';
  return null;
}

/**
 * What writes the environment's image by itself: each engine's image automation (its policy,
 * when it last wrote, what it picked, why it stopped) and the portal's auto-promotion, with
 * the conflict when two of them write the same image. When nothing does and the engine's
 * automation is not installed, it says so in one quiet line.
 */
export function LaneAutomation(props: {
  environment: EnvironmentStatus;
  now: number;
  /** With these, the portal's automation can be paused and resumed from the lane. */
  entityRef?: CompoundEntityRef;
  onChanged?: () => void;
}) {
  const { environment, now, entityRef, onChanged } = props;
  const { name } = environment;
  const automation = environment.automation ?? [];
  const classes = useStyles();
  const lane = useLaneStyles();
  const engine = ownEngine(environment);
  const install = engine ? environment.automationEngines?.[engine] : undefined;
  const note =
    automation.length === 0 && engine && install && install !== 'installed'
      ? `no image automation: ${ENGINE_LABELS[engine]} ${install}`
      : null;
  if (automation.length === 0 && !note) return null;
  const portal = automation.find(isPortal);
  return (
    <section aria-label={`Automation of ${name}`}>
      <div className={lane.label}>Automation</div>
      {note && (
        <Typography variant="caption" component="div" color="textSecondary">
          {note}
        </Typography>
      )}
      {automation.length > 0 && (
        <ul className={lane.list}>
          {automation.map((entry, index) => (
            <li
              key={`${entry.engine} ${entry.objects?.join(',') ?? index}`}
              className={classes.entry}
              data-engine={entry.engine}
            >
              <Typography variant="body2">
                {describeAutomation(name, entry, now)}
              </Typography>
              {entry.latestImage && (
                <Typography
                  variant="caption"
                  component="div"
                  color="textSecondary"
                >
                  latest picked: {entry.latestImage}
                </Typography>
              )}
              {entry.error && (
                <Typography variant="body2" color="error">
                  {entry.error}
                </Typography>
              )}
              {entry.conflict && (
                <Typography variant="body2" className={classes.conflict}>
                  conflict: {entry.conflict}
                </Typography>
              )}
              {entry.detail && (
                <Typography
                  variant="caption"
                  component="div"
                  color="textSecondary"
                >
                  {isPortal(entry) && entry.last
                    ? `last: ${entry.last.state} · ${entry.detail} · ${age(
                        entry.last.at,
                        now,
                      )}`
                    : entry.detail}
                </Typography>
              )}
              {isPortal(entry) && entry.pause && (
                <Typography variant="caption" component="div">
                  {`paused by ${entry.pause.by}${
                    entry.pause.reason ? `: ${entry.pause.reason}` : ''
                  }`}
                </Typography>
              )}
            </li>
          ))}
        </ul>
      )}
      {portal && entityRef && onChanged && (
        <PauseAutomation
          entityRef={entityRef}
          environment={name}
          pause={portal.pause}
          onChanged={onChanged}
        />
      )}
    </section>
  );
}
