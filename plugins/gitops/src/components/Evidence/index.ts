export { EvidenceDetails } from './EvidenceDetails';
export { EvidenceLine } from './EvidenceLine';
export { LaneEvidence } from './LaneEvidence';
export {
  SupplyChainIndicator,
  isInsecure,
  supplyChainSummary,
} from './SupplyChainIndicator';
export {
  SupplyChainSection,
  splitSupplyChainGates,
} from './SupplyChainSection';
export { SUPPLY_CHAIN_GATES, evidenceText } from './evidenceFormat';
