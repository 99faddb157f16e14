import { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { DeliveryMetricsSection } from './DeliveryMetricsSection';
import { DEFAULT_METRICS_WINDOW, MetricsWindow } from './deliveryFormat';

/**
 * The Delivery section of one service. Loaded on mount and when the window changes, not with
 * the lanes' refresh: metrics over days barely move in seconds.
 */
export function EntityDeliveryMetrics(props: { entityRef: CompoundEntityRef }) {
  const { entityRef } = props;
  const api = useApi(gitopsApiRef);
  const [metricsWindow, setMetricsWindow] = useState<MetricsWindow>(
    DEFAULT_METRICS_WINDOW,
  );
  // The ref must be stable across renders (useCurrentEntityRef keys it on its string).
  const state = useAsync(
    () => api.getEntityDeliveryMetrics(entityRef, metricsWindow),
    [api, entityRef, metricsWindow],
  );
  return (
    <DeliveryMetricsSection
      {...state}
      window={metricsWindow}
      onWindowChange={setMetricsWindow}
      subheader="How often this service ships, how fast and how safely (DORA metrics)"
    />
  );
}
