export { gitopsApiRef } from './GitopsApi';
export type { DeliveryMetricsQuery, GitopsApi } from './GitopsApi';
export { GitopsClient } from './GitopsClient';
export type { GitopsClientOptions } from './GitopsClient';
