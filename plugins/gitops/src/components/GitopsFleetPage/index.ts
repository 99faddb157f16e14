export { GitopsFleetPage } from './GitopsFleetPage';
