import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { PolicyRefusal } from '../../api';
import { GateChecklist } from '../Policy/GateChecklist';
import { localTime } from '../Policy/policyFormat';

const useStyles = makeStyles(theme => ({
  refusal: {
    borderLeft: `4px solid ${theme.palette.error.main}`,
    padding: theme.spacing(1, 2),
    margin: theme.spacing(2, 0),
    background: theme.palette.background.default,
  },
}));

/** A change the policy refused when it was written: why, until when, and every gate. */
export function Refusal(props: { refusal: PolicyRefusal }) {
  const { message, retryAt, gates } = props.refusal;
  const classes = useStyles();
  return (
    <div role="alert" aria-label="Refusal" className={classes.refusal}>
      <Typography variant="body1" color="error">
        {message}
      </Typography>
      {retryAt && (
        <Typography variant="body2">
          {`It may pass from ${localTime(retryAt)}; try again then.`}
        </Typography>
      )}
      <GateChecklist gates={gates} label="Gates of the refusal" />
    </div>
  );
}
