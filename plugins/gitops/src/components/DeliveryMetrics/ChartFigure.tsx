import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode, useLayoutEffect, useState } from 'react';
import { domId } from '../../lib';

/** Height of every delivery chart, in pixels. */
export const CHART_HEIGHT = 220;

/**
 * Width a chart draws at until its box has been measured, and where nothing can be measured
 * (a test DOM has no layout): a chart always has a size, so it is always drawn.
 */
export const FALLBACK_CHART_WIDTH = 480;

const useStyles = makeStyles(theme => ({
  figure: { margin: 0, minWidth: 0 },
  title: { marginBottom: theme.spacing(0.5) },
  plot: { width: '100%', height: CHART_HEIGHT, overflow: 'hidden' },
  empty: {
    height: CHART_HEIGHT,
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    textAlign: 'center',
    border: `1px dashed ${theme.palette.divider}`,
    borderRadius: theme.shape.borderRadius,
    padding: theme.spacing(2),
  },
}));

/**
 * The width of an element, followed as it resizes. Measured here rather than with recharts'
 * ResponsiveContainer, which draws nothing until a ResizeObserver reports a size.
 */
function useWidthOf(element: HTMLElement | null): number {
  const [width, setWidth] = useState(FALLBACK_CHART_WIDTH);
  useLayoutEffect(() => {
    if (!element) return undefined;
    const measure = () => {
      const measured = Math.floor(element.clientWidth);
      if (measured > 0) setWidth(measured);
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return width;
}

/**
 * A chart as one image for assistive technology, named by its title and described by a one-line
 * summary of what it shows. With `empty`, the plot's place says why there is nothing to draw
 * instead of showing bare axes.
 */
export function ChartFigure(props: {
  title: string;
  summary: string;
  empty?: string;
  children: (size: { width: number; height: number }) => ReactNode;
}) {
  const classes = useStyles();
  const { title, summary, empty, children } = props;
  // Chart titles are unique on a page, so their ids are too.
  const summaryId = domId('gitops-chart', title);
  // A callback ref into state: the plot box is measured once it exists.
  const [plot, setPlot] = useState<HTMLDivElement | null>(null);
  const width = useWidthOf(plot);
  return (
    <figure
      className={classes.figure}
      role="img"
      aria-label={title}
      aria-describedby={summaryId}
    >
      <Typography variant="subtitle2" component="div" className={classes.title}>
        {title}
      </Typography>
      {empty ? (
        <Typography
          variant="body2"
          color="textSecondary"
          component="div"
          className={classes.empty}
        >
          {empty}
        </Typography>
      ) : (
        <div ref={setPlot} className={classes.plot}>
          {children({ width, height: CHART_HEIGHT })}
        </div>
      )}
      <Typography
        id={summaryId}
        variant="caption"
        color="textSecondary"
        component="figcaption"
      >
        {summary}
      </Typography>
    </figure>
  );
}
