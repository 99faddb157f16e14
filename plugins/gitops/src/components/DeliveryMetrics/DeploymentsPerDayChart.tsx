import { EnvironmentDeliveryMetrics } from '@gitops-backstage/plugin-gitops-common';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure } from './ChartFigure';
import { SERIES_COLORS } from './chartColors';
import { SeriesLegend } from './SeriesLegend';
import { formatDay, formatTarget } from './deliveryFormat';

/**
 * Deployments per UTC day of one environment, rollbacks stacked on the others so a bar is as
 * tall as the day's deployments, against the deployment-frequency target.
 */
export function DeploymentsPerDayChart(props: {
  environment: EnvironmentDeliveryMetrics;
  days: number;
}) {
  const { environment, days } = props;
  const { deploymentFrequency, counts } = environment;
  const data = environment.daily.map(day => ({
    day: formatDay(day.date),
    forward: day.deployments - day.rollbacks,
    rollbacks: day.rollbacks,
  }));
  return (
    <ChartFigure
      title="Deployments per day"
      summary={`${counts.deployments} deployments (${
        counts.rollbacks
      } rollbacks) in ${
        environment.environment
      } over ${days} days; ${formatTarget(deploymentFrequency)}.`}
      empty={
        counts.deployments === 0
          ? `Nothing was deployed to ${environment.environment} in this window.`
          : undefined
      }
    >
      {({ width, height }) => (
        <BarChart
          width={width}
          height={height}
          data={data}
          margin={{ top: 8, right: 16, bottom: 16, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="day"
            minTickGap={16}
            label={{
              value: 'day (UTC)',
              position: 'insideBottom',
              offset: -12,
            }}
          />
          <YAxis
            allowDecimals={false}
            width={48}
            label={{
              value: 'deployments',
              angle: -90,
              position: 'insideLeft',
              offset: 8,
              style: { textAnchor: 'middle' },
            }}
          />
          <Tooltip />
          <Legend
            verticalAlign="top"
            align="right"
            content={<SeriesLegend />}
          />
          <Bar
            dataKey="forward"
            name="Deployments"
            stackId="deployed"
            fill={SERIES_COLORS.promotions}
            isAnimationActive={false}
          />
          <Bar
            dataKey="rollbacks"
            name="Rollbacks"
            stackId="deployed"
            fill={SERIES_COLORS.rollbacks}
            isAnimationActive={false}
          />
          <ReferenceLine
            y={deploymentFrequency.target.value}
            stroke={SERIES_COLORS.target}
            strokeDasharray="4 4"
            ifOverflow="extendDomain"
            label={{ value: 'target', position: 'insideTopRight' }}
          />
        </BarChart>
      )}
    </ChartFigure>
  );
}
