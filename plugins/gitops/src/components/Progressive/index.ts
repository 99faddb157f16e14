export { LaneRollout } from './LaneRollout';
export { RolloutChip } from './RolloutChip';
export {
  describeRolloutAction,
  rolloutChipLabel,
  rolloutChipTitle,
  stepSummary,
} from './rolloutFormat';
