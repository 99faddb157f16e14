import { DoraBand } from '@gitops-backstage/plugin-gitops-common';
import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { BAND_LABELS } from './deliveryFormat';

// Fixed colours rather than the theme's: a band reads the same in every theme. The chip
// always says the band in words, so the colour is never the only cue.
const useStyles = makeStyles({
  elite: { backgroundColor: '#2e7d32', color: '#fff' },
  high: { backgroundColor: '#00796b', color: '#fff' },
  medium: { backgroundColor: '#ffb300', color: 'rgba(0, 0, 0, 0.87)' },
  low: { backgroundColor: '#c62828', color: '#fff' },
});

/** The DORA band of a metric: Elite, High, Medium or Low; "No band" without samples. */
export function BandChip(props: { band: DoraBand | null }) {
  const classes = useStyles();
  const { band } = props;
  if (!band) return <Chip size="small" variant="outlined" label="No band" />;
  return (
    <Chip
      size="small"
      label={BAND_LABELS[band]}
      className={classes[band]}
      title={`DORA band: ${BAND_LABELS[band]}`}
    />
  );
}
