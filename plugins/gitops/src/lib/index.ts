export {
  formatResources,
  formatScaling,
  formatVersion,
  shortRevision,
} from './format';
export { isGitopsAvailable } from './isGitopsAvailable';
export {
  formatLive,
  formatNewer,
  formatSync,
  runningVersion,
} from './formatLive';
export { useCurrentEntityRef } from './useCurrentEntityRef';
export { commitUrl, fileUrl } from './gitHostLinks';
export { describeVersionGap, versionGap } from './versionGap';
export type { VersionGap } from './versionGap';
export { domId } from './domId';
