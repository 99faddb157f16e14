export { DigestEvidenceService } from './DigestEvidenceService';
export type { DigestEvidenceServiceOptions } from './DigestEvidenceService';
export type { DigestEvidence } from './digestEvidence';
export { signatureUnderPolicy } from './identityPolicy';
export type { AllowedIdentity } from './identityPolicy';
export { readSupplyChainConfig } from './supplyChainConfig';
export type {
  SupplyChainConfig,
  SupplyChainKeyConfig,
} from './supplyChainConfig';
export { SupplyChainArtifactFinder } from './SupplyChainArtifactFinder';
export type {
  FoundArtifact,
  FoundArtifacts,
} from './SupplyChainArtifactFinder';
export type { VerifiedSigner } from './ArtifactVerifier';
export { OciArtifactReader } from './OciArtifactReader';
export type { RepositoryPathClient } from './OciArtifactReader';
