import { makeStyles } from '@material-ui/core/styles';

/** The look the lane's sections share: a small upper-case label over a compact body. */
export const useLaneStyles = makeStyles(theme => ({
  label: {
    color: theme.palette.text.secondary,
    textTransform: 'uppercase',
    fontSize: theme.typography.caption.fontSize,
    letterSpacing: '0.05em',
  },
  list: { margin: 0, paddingLeft: theme.spacing(2) },
  row: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
  buttons: { display: 'flex', gap: theme.spacing(1), flexWrap: 'wrap' },
}));
