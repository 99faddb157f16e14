import { EnvironmentDeliveryMetrics } from '@gitops-backstage/plugin-gitops-common';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure } from './ChartFigure';
import { SERIES_COLORS } from './chartColors';
import { SeriesLegend } from './SeriesLegend';

/** The counts a bar stacks, in stacking order, each with its legend name. */
const SERIES = [
  { key: 'promotions', name: 'Promotions' },
  { key: 'rollbacks', name: 'Rollbacks' },
  { key: 'external', name: 'External' },
  { key: 'failed', name: 'Failed' },
] as const;

/**
 * Per environment, what ran in the window: promotions (and creations) through the portal,
 * rollbacks, external commits, and the changes that failed to run.
 */
export function PromotionsRollbacksChart(props: {
  environments: EnvironmentDeliveryMetrics[];
}) {
  const { environments } = props;
  const data = environments.map(e => ({
    environment: e.environment,
    ...e.counts,
  }));
  const summary = environments
    .map(
      e =>
        `${e.environment}: ${SERIES.map(
          s => `${e.counts[s.key]} ${s.name.toLowerCase()}`,
        ).join(', ')}`,
    )
    .join('; ');
  return (
    <ChartFigure title="Promotions and rollbacks" summary={`${summary}.`}>
      {({ width, height }) => (
        <BarChart width={width} height={height} data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="environment" />
          <YAxis allowDecimals={false} width={32} />
          <Tooltip />
          <Legend content={<SeriesLegend />} />
          {SERIES.map(series => (
            <Bar
              key={series.key}
              dataKey={series.key}
              name={series.name}
              stackId="changes"
              fill={SERIES_COLORS[series.key]}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      )}
    </ChartFigure>
  );
}
