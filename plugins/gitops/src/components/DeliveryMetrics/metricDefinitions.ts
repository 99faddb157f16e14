/** The four DORA metrics a tile shows, with what they count (the help text says how). */
export interface MetricDefinition {
  key:
    | 'deploymentFrequency'
    | 'leadTime'
    | 'changeFailureRate'
    | 'timeToRestore';
  title: string;
  /** What one sample is, for `from 3 deployments`. */
  sample: { one: string; other: string };
  /** The definition, as the backend computes it. */
  describe: (context: { failureWindowHours: number }) => string;
}

export const METRIC_DEFINITIONS: MetricDefinition[] = [
  {
    key: 'deploymentFrequency',
    title: 'Deployment frequency',
    sample: { one: 'deployment', other: 'deployments' },
    describe: () =>
      'Version deployments (not scaling) that ran Synced and Healthy in this environment, per day of the window. Rollbacks count: they are deployments too.',
  },
  {
    key: 'leadTime',
    title: 'Lead time',
    sample: { one: 'version', other: 'versions' },
    describe: () =>
      'From the first commit of a version in the first environment to that version running in this environment, in hours: the mean over the versions that arrived in the window.',
  },
  {
    key: 'changeFailureRate',
    title: 'Change failure rate',
    sample: { one: 'change', other: 'changes' },
    describe: ({ failureWindowHours }) =>
      `Share of changes (not rollbacks) that failed, or were rolled back within ${failureWindowHours} h, in percent.`,
  },
  {
    key: 'timeToRestore',
    title: 'Time to restore',
    sample: { one: 'restored failure', other: 'restored failures' },
    describe: () =>
      'From a failed change to the environment running healthy again, in minutes: the mean over the failures restored in the window.',
  },
];
