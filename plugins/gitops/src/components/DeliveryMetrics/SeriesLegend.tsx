import { makeStyles } from '@material-ui/core/styles';
import { LegendProps } from 'recharts';

const useStyles = makeStyles(theme => ({
  legend: {
    display: 'flex',
    flexWrap: 'wrap',
    justifyContent: 'center',
    gap: theme.spacing(2),
    margin: 0,
    padding: 0,
    listStyle: 'none',
    ...theme.typography.caption,
  },
  swatch: {
    display: 'inline-block',
    width: 10,
    height: 10,
    marginRight: theme.spacing(0.5),
  },
}));

/**
 * The legend of a chart as plain HTML: recharts' own draws an SVG per entry, and every chart
 * should be one SVG, so tests and tools can count charts by their surface.
 */
export function SeriesLegend(props: Pick<LegendProps, 'payload'>) {
  const classes = useStyles();
  return (
    <ul className={classes.legend}>
      {(props.payload ?? []).map(entry => (
        <li key={String(entry.value)}>
          <span
            className={classes.swatch}
            style={{ backgroundColor: entry.color }}
            aria-hidden
          />
          {entry.value}
        </li>
      ))}
    </ul>
  );
}
