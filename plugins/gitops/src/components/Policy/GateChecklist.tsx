import { Link } from '@backstage/core-components';
import {
  GateState,
  PromotionGate,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { gateLabel, gateState, localTime } from './policyFormat';
import { statusTextColors } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  list: { listStyle: 'none', margin: theme.spacing(0.5, 0), padding: 0 },
  item: {
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'baseline',
    marginBottom: theme.spacing(0.5),
  },
  icon: { flex: '0 0 auto', fontWeight: 700, width: '1.2em' },
  pass: { color: statusTextColors(theme).ok },
  wait: { color: statusTextColors(theme).wait },
  fail: { color: statusTextColors(theme).fail },
  links: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1) },
}));

const ICON: Record<GateState, string> = { pass: '✓', wait: '⏳', fail: '✗' };
const SPOKEN: Record<GateState, string> = {
  pass: 'passed',
  wait: 'waiting',
  fail: 'failed',
};

function GateItem(props: { gate: PromotionGate; dense: boolean }) {
  const { gate, dense } = props;
  const classes = useStyles();
  const state = gateState(gate);
  const variant = dense ? 'caption' : 'body2';
  return (
    <li className={classes.item} data-state={state}>
      <span
        role="img"
        aria-label={SPOKEN[state]}
        className={`${classes.icon} ${classes[state]}`}
      >
        {ICON[state]}
      </span>
      <div>
        {/* A failed gate says why in the error colour: the one line to read in a dialog. */}
        <Typography
          variant={variant}
          component="div"
          className={state === 'fail' && !dense ? classes.fail : undefined}
        >
          <strong className={state === 'fail' ? classes.fail : undefined}>
            {gateLabel(gate.name)}
          </strong>
          : {gate.message}
          {state === 'wait' && gate.retryAt && (
            <span className={classes.wait}>
              {` (until ${localTime(gate.retryAt)})`}
            </span>
          )}
        </Typography>
        {gate.override && (
          <Typography variant="caption" component="div" color="textSecondary">
            overridden by {gate.override.by}: {gate.override.reason}
          </Typography>
        )}
        {gate.links && gate.links.length > 0 && (
          <Typography
            variant="caption"
            component="div"
            className={classes.links}
          >
            {gate.links.map(link => (
              <Link key={link.url} to={link.url}>
                {link.title}
              </Link>
            ))}
          </Typography>
        )}
      </div>
    </li>
  );
}

/**
 * The gates of a change as a checklist: a mark per state (✓ passed, ⏳ waiting with until
 * when, ✗ failed), what each gate saw, its evidence links and who overrode it and why. One
 * component for the dry run, a refusal and the lanes (`dense`).
 */
export function GateChecklist(props: {
  gates: PromotionGate[];
  /** The list's accessible name, e.g. `Gates`. */
  label: string;
  dense?: boolean;
}) {
  const classes = useStyles();
  if (props.gates.length === 0) {
    return (
      <Typography variant="caption" component="div" color="textSecondary">
        No gates apply.
      </Typography>
    );
  }
  return (
    <ul className={classes.list} aria-label={props.label}>
      {props.gates.map(gate => (
        <GateItem key={gate.name} gate={gate} dense={props.dense ?? false} />
      ))}
    </ul>
  );
}
