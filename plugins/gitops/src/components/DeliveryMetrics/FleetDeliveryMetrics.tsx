import { useApi } from '@backstage/core-plugin-api';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { DeliveryMetricsSection } from './DeliveryMetricsSection';
import { DEFAULT_METRICS_WINDOW, MetricsWindow } from './deliveryFormat';

/**
 * The Delivery section over every GitOps service in scope of the fleet page's filters. Loaded
 * on mount, on a window change and when the filters change; not with the table's refresh.
 */
export function FleetDeliveryMetrics(props: {
  owner?: string;
  environment?: string;
}) {
  const { owner, environment } = props;
  const api = useApi(gitopsApiRef);
  const [metricsWindow, setMetricsWindow] = useState<MetricsWindow>(
    DEFAULT_METRICS_WINDOW,
  );
  const state = useAsync(
    () => api.getDeliveryMetrics({ owner, environment, window: metricsWindow }),
    [api, owner, environment, metricsWindow],
  );
  const services = state.value?.entities;
  return (
    <DeliveryMetricsSection
      {...state}
      window={metricsWindow}
      onWindowChange={setMetricsWindow}
      subheader={
        services === undefined
          ? 'DORA metrics of the services in scope'
          : `DORA metrics over ${services} ${
              services === 1 ? 'service' : 'services'
            }${owner ? ` of ${owner}` : ''}`
      }
    />
  );
}
