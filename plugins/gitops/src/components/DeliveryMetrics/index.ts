export { EntityDeliveryMetrics } from './EntityDeliveryMetrics';
export { FleetDeliveryMetrics } from './FleetDeliveryMetrics';
