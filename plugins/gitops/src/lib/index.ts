export {
  formatResources,
  formatScaling,
  formatVersion,
  shortRevision,
} from './format';
export { isGitopsAvailable } from './isGitopsAvailable';
export { formatLive, formatNewer, formatSync } from './formatLive';
