import { metrics } from '@opentelemetry/api';
import {
  DataPoint,
  Histogram,
  MeterProvider,
  MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import { GITOPS_METER_NAME } from '../service/telemetry/gitopsMetrics';

/** A reader collected on demand: what a Prometheus scrape would read, without the server. */
class CollectingReader extends MetricReader {
  protected async onForceFlush() {}
  protected async onShutdown() {}
}

/**
 * Registers an OpenTelemetry SDK meter provider as the global one, as Backstage's
 * instrumentation setup does, and reads what the plugin's instruments hold.
 */
export function installTestMeterProvider() {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ readers: [reader] });
  metrics.disable();
  metrics.setGlobalMeterProvider(provider);

  /** The plugin's metrics as of now, by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw errors[0];
    const found = new Map<string, MetricData>();
    for (const scope of resourceMetrics.scopeMetrics) {
      if (scope.scope.name !== GITOPS_METER_NAME) continue;
      for (const metric of scope.metrics) {
        found.set(metric.descriptor.name, metric);
      }
    }
    return found;
  }

  /** The value of a counter or gauge with exactly these attributes; undefined when none. */
  async function value(
    name: string,
    attributes: Record<string, string>,
  ): Promise<number | undefined> {
    const point = findPoint((await collect()).get(name), attributes);
    return point?.value as number | undefined;
  }

  /** Count and sum of a histogram with exactly these attributes; undefined when none. */
  async function histogram(
    name: string,
    attributes: Record<string, string>,
  ): Promise<{ count: number; sum: number } | undefined> {
    const point = findPoint((await collect()).get(name), attributes) as
      | DataPoint<Histogram>
      | undefined;
    return point && { count: point.value.count, sum: point.value.sum ?? 0 };
  }

  return {
    collect,
    value,
    histogram,
    shutdown: async () => {
      metrics.disable();
      await provider.shutdown();
    },
  };
}

function findPoint(
  metric: MetricData | undefined,
  attributes: Record<string, string>,
): DataPoint<unknown> | undefined {
  const wanted = JSON.stringify(Object.entries(attributes).sort());
  return (metric?.dataPoints as DataPoint<unknown>[] | undefined)?.find(
    point => JSON.stringify(Object.entries(point.attributes).sort()) === wanted,
  );
}
