export {
  formatResources,
  formatScaling,
  formatVersion,
  shortRevision,
} from './format';
export { isGitopsAvailable } from './isGitopsAvailable';
export { formatLive, formatSync } from './formatLive';
