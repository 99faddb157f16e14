import { EnvironmentDeliveryMetrics } from '@gitops-backstage/plugin-gitops-common';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure } from './ChartFigure';
import { SERIES_COLORS } from './chartColors';
import {
  formatDay,
  formatMetricValue,
  formatNumber,
  formatTarget,
} from './deliveryFormat';

/** The lead time of each version that arrived in one environment, oldest first. */
export function LeadTimeTrendChart(props: {
  environment: EnvironmentDeliveryMetrics;
}) {
  const { environment } = props;
  const { leadTime, leadTimes } = environment;
  const summary =
    leadTimes.length > 0
      ? `${leadTimes.length} versions arrived in ${
          environment.environment
        }, ${formatMetricValue(leadTime)} on average; ${formatTarget(
          leadTime,
        )}.`
      : `No version arrived in ${environment.environment} in this window.`;
  return (
    <ChartFigure title="Lead time trend" summary={summary}>
      {({ width, height }) => (
        <LineChart width={width} height={height} data={leadTimes}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="at" tickFormatter={formatDay} minTickGap={16} />
          <YAxis width={40} unit=" h" />
          <Tooltip
            labelFormatter={(at, payload) =>
              `${payload?.[0]?.payload?.version ?? ''} · ${formatDay(
                String(at),
              )}`
            }
            formatter={value => [
              `${formatNumber(Number(value))} h`,
              'Lead time',
            ]}
          />
          <Line
            type="monotone"
            dataKey="hours"
            name="Lead time"
            stroke={SERIES_COLORS.leadTime}
            dot
            isAnimationActive={false}
          />
          <ReferenceLine
            y={leadTime.target.value}
            stroke={SERIES_COLORS.target}
            strokeDasharray="4 4"
            ifOverflow="extendDomain"
            label={{ value: 'target', position: 'insideTopRight' }}
          />
        </LineChart>
      )}
    </ChartFigure>
  );
}
