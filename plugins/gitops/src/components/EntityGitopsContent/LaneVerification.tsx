import { CompoundEntityRef } from '@backstage/catalog-model';
import { Link } from '@backstage/core-components';
import {
  EnvironmentStatus,
  VerificationCheckResult,
  VerificationState,
} from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { versionLabel } from '../Policy/policyFormat';
import { age } from './age';
import { useLaneStyles } from './laneStyles';
import { VerificationHistory } from './VerificationHistory';
import { FAIL_CHIP_BACKGROUND, statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  Passed: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  Failed: {
    backgroundColor: FAIL_CHIP_BACKGROUND,
    color: theme.palette.error.contrastText,
  },
  Inconclusive: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  Running: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.info.contrastText,
  },
  Pending: {},
  NotConfigured: {},
  check: { marginBottom: theme.spacing(0.5) },
  failed: { color: statusTextColors(theme).fail },
}));

/** How each state reads on its chip. */
export const VERIFICATION_LABELS: Record<VerificationState, string> = {
  Passed: 'Passed',
  Failed: 'Failed',
  Running: 'Running',
  Pending: 'Pending',
  Inconclusive: 'Inconclusive',
  NotConfigured: 'Not configured',
};

/** `error-ratio: 0.004 vs < 0.01 · Passed`. */
function describeCheck(check: VerificationCheckResult): string {
  // Ratios come with every digit Prometheus computed; three significant ones say enough.
  let value = '—';
  if (typeof check.value === 'number') {
    value = Number.isFinite(check.value)
      ? String(Number(check.value.toPrecision(3)))
      : String(check.value);
  } else if (check.value !== null) value = check.value;
  const threshold = check.threshold ? ` vs ${check.threshold}` : '';
  return `${check.name}: ${value}${threshold} · ${check.state}`;
}

function Check(props: { check: VerificationCheckResult }) {
  const { check } = props;
  const classes = useStyles();
  return (
    <li className={classes.check}>
      <Typography
        variant="body2"
        className={check.state === 'Passed' ? undefined : classes.failed}
      >
        {describeCheck(check)}
      </Typography>
      <Typography variant="caption" component="div" color="textSecondary">
        {check.detail}
        {check.links?.map(link => (
          <span key={link.url}>
            {' · '}
            <Link to={link.url} underline="always">
              {link.title}
            </Link>
          </span>
        ))}
      </Typography>
    </li>
  );
}

/**
 * The verification of the version an environment runs: its state, each check's value against
 * its threshold with what was seen and where to look, and on demand the history of the
 * environment's verifications with a re-run.
 */
export function LaneVerification(props: {
  entityRef: CompoundEntityRef;
  environment: EnvironmentStatus;
  onChanged: () => void;
  now: number;
}) {
  const { entityRef, environment, onChanged, now } = props;
  const { name, verification } = environment;
  const classes = useStyles();
  const lane = useLaneStyles();
  if (!verification) return null;
  const configured = verification.state !== 'NotConfigured';
  return (
    <section aria-label={`Verification of ${name}`}>
      <div className={lane.label}>Verification</div>
      <div className={lane.row}>
        <Chip
          size="small"
          label={VERIFICATION_LABELS[verification.state]}
          className={classes[verification.state]}
        />
        {verification.version && (
          <Typography variant="body2" component="span">
            {versionLabel(verification.version)}
          </Typography>
        )}
        {verification.at && (
          <Typography variant="caption" color="textSecondary">
            {age(verification.at, now)}
          </Typography>
        )}
      </div>
      {verification.message && (
        <Typography variant="caption" component="div" color="textSecondary">
          {verification.message}
        </Typography>
      )}
      {verification.checks.length > 0 && (
        <ul className={lane.list} aria-label={`Checks of ${name}`}>
          {verification.checks.map(check => (
            <Check key={check.name} check={check} />
          ))}
        </ul>
      )}
      {configured && (
        <VerificationHistory
          entityRef={entityRef}
          environment={name}
          onChanged={onChanged}
        />
      )}
    </section>
  );
}
