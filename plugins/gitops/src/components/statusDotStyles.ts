import { makeStyles } from '@material-ui/core/styles';

/** A coloured dot before a status: ok, failing, changing or not known. */
export const useStatusDotStyles = makeStyles(theme => ({
  dot: {
    display: 'inline-block',
    width: 10,
    height: 10,
    borderRadius: '50%',
    marginRight: theme.spacing(1),
    verticalAlign: 'middle',
  },
  ok: { backgroundColor: theme.palette.success.main },
  failing: { backgroundColor: theme.palette.error.main },
  changing: { backgroundColor: theme.palette.warning.main },
  unknown: { backgroundColor: theme.palette.grey[500] },
}));
