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
  dayTicks,
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
  const data = leadTimes.map(point => ({
    ...point,
    atMs: Date.parse(point.at),
  }));
  const summary =
    leadTimes.length > 0
      ? `${leadTimes.length} versions arrived in ${
          environment.environment
        }, ${formatMetricValue(leadTime)} on average; ${formatTarget(
          leadTime,
        )}.`
      : `No version arrived in ${environment.environment} in this window.`;
  return (
    <ChartFigure
      title="Lead time trend"
      summary={summary}
      empty={
        data.length === 0
          ? `No version arrived in ${environment.environment} in this window.`
          : undefined
      }
    >
      {({ width, height }) => (
        <LineChart
          width={width}
          height={height}
          data={data}
          margin={{ top: 8, right: 16, bottom: 16, left: 8 }}
        >
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          {/* Time, not categories: each point where it happened, each day labelled once. */}
          <XAxis
            dataKey="atMs"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            ticks={dayTicks(data.map(d => d.atMs))}
            tickFormatter={ms => formatDay(new Date(ms).toISOString())}
            label={{
              value: 'arrived (UTC)',
              position: 'insideBottom',
              offset: -12,
            }}
            padding={{ left: 12, right: 12 }}
          />
          <YAxis
            width={56}
            allowDecimals={false}
            label={{
              value: 'hours',
              angle: -90,
              position: 'insideLeft',
              offset: 8,
            }}
          />
          <Tooltip
            labelFormatter={(at, payload) =>
              `${payload?.[0]?.payload?.version ?? ''} · ${formatDay(
                new Date(Number(at)).toISOString(),
              )}`
            }
            formatter={value => [
              `${formatNumber(Number(value))} h`,
              'Lead time',
            ]}
          />
          {/* Straight segments between real versions: a curve would invent values between them. */}
          <Line
            type="linear"
            dataKey="hours"
            name="Lead time"
            stroke={SERIES_COLORS.leadTime}
            strokeWidth={2}
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
