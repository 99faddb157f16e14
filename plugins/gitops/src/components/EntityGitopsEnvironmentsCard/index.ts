export { EntityGitopsEnvironmentsCard } from './EntityGitopsEnvironmentsCard';
