import {
  DeliveryMetrics,
  EnvironmentDeliveryMetrics,
} from '@gitops-backstage/plugin-gitops-common';

// The guestbook's last 7 days as the metrics endpoint would answer them: dev ships many times a
// day, staging daily, prod had two promotions and one rollback (the second promotion failed).

const days = [
  '2026-11-21',
  '2026-11-22',
  '2026-11-23',
  '2026-11-24',
  '2026-11-25',
  '2026-11-26',
  '2026-11-27',
];

const dev: EnvironmentDeliveryMetrics = {
  environment: 'dev',
  deploymentFrequency: {
    value: 3.43,
    unit: 'perDay',
    samples: 24,
    band: 'elite',
    target: { value: 1, comparison: 'atLeast', met: true },
  },
  leadTime: {
    value: 0.25,
    unit: 'hours',
    samples: 24,
    band: 'elite',
    target: { value: 24, comparison: 'atMost', met: true },
  },
  hopLeadTime: {
    value: null,
    unit: 'hours',
    samples: 0,
    band: null,
    target: { value: 24, comparison: 'atMost', met: null },
  },
  changeFailureRate: {
    value: 0,
    unit: 'percent',
    samples: 24,
    band: 'elite',
    target: { value: 15, comparison: 'atMost', met: true },
  },
  timeToRestore: {
    value: null,
    unit: 'minutes',
    samples: 0,
    band: null,
    target: { value: 60, comparison: 'atMost', met: null },
  },
  counts: {
    deployments: 24,
    promotions: 0,
    rollbacks: 0,
    external: 24,
    failed: 0,
  },
  daily: days.map(date => ({ date, deployments: 3, rollbacks: 0, failed: 0 })),
  leadTimes: [
    { version: 'v1.0.5', at: '2026-11-27T10:15:00.000Z', hours: 0.25 },
  ],
};

const staging: EnvironmentDeliveryMetrics = {
  environment: 'staging',
  deploymentFrequency: {
    value: 1,
    unit: 'perDay',
    samples: 7,
    band: 'high',
    target: { value: 1, comparison: 'atLeast', met: true },
  },
  leadTime: {
    value: 4.2,
    unit: 'hours',
    samples: 7,
    band: 'elite',
    target: { value: 24, comparison: 'atMost', met: true },
  },
  hopLeadTime: {
    value: 3.9,
    unit: 'hours',
    samples: 7,
    band: 'elite',
    target: { value: 24, comparison: 'atMost', met: true },
  },
  changeFailureRate: {
    value: 0,
    unit: 'percent',
    samples: 7,
    band: 'elite',
    target: { value: 15, comparison: 'atMost', met: true },
  },
  timeToRestore: {
    value: null,
    unit: 'minutes',
    samples: 0,
    band: null,
    target: { value: 60, comparison: 'atMost', met: null },
  },
  counts: {
    deployments: 7,
    promotions: 7,
    rollbacks: 0,
    external: 0,
    failed: 0,
  },
  daily: days.map(date => ({ date, deployments: 1, rollbacks: 0, failed: 0 })),
  leadTimes: [
    { version: 'v1.0.4', at: '2026-11-26T14:00:00.000Z', hours: 4.1 },
    { version: 'v1.0.5', at: '2026-11-27T14:30:00.000Z', hours: 4.3 },
  ],
};

const prod: EnvironmentDeliveryMetrics = {
  environment: 'prod',
  deploymentFrequency: {
    value: 0.43,
    unit: 'perDay',
    samples: 3,
    band: 'high',
    target: { value: 1, comparison: 'atLeast', met: false },
  },
  leadTime: {
    value: 26.5,
    unit: 'hours',
    samples: 2,
    band: 'high',
    target: { value: 24, comparison: 'atMost', met: false },
  },
  hopLeadTime: {
    value: 22.25,
    unit: 'hours',
    samples: 2,
    band: 'elite',
    target: { value: 24, comparison: 'atMost', met: true },
  },
  changeFailureRate: {
    value: 50,
    unit: 'percent',
    samples: 2,
    band: 'low',
    target: { value: 15, comparison: 'atMost', met: false },
  },
  timeToRestore: {
    value: 12,
    unit: 'minutes',
    samples: 1,
    band: 'elite',
    target: { value: 60, comparison: 'atMost', met: true },
  },
  counts: {
    deployments: 3,
    promotions: 2,
    rollbacks: 1,
    external: 0,
    failed: 0,
  },
  daily: [
    { date: '2026-11-21', deployments: 0, rollbacks: 0, failed: 0 },
    { date: '2026-11-22', deployments: 0, rollbacks: 0, failed: 0 },
    { date: '2026-11-23', deployments: 1, rollbacks: 0, failed: 0 },
    { date: '2026-11-24', deployments: 0, rollbacks: 0, failed: 0 },
    { date: '2026-11-25', deployments: 0, rollbacks: 0, failed: 0 },
    { date: '2026-11-26', deployments: 2, rollbacks: 1, failed: 0 },
    { date: '2026-11-27', deployments: 0, rollbacks: 0, failed: 0 },
  ],
  leadTimes: [
    { version: 'v1.0.3', at: '2026-11-23T09:00:00.000Z', hours: 28 },
    { version: 'v1.0.4', at: '2026-11-26T11:00:00.000Z', hours: 25 },
  ],
};

/** The guestbook's delivery metrics over the last 7 days. */
export const guestbookDeliveryMetrics: DeliveryMetrics = {
  window: {
    days: 7,
    from: '2026-11-21T00:00:00.000Z',
    to: '2026-11-28T00:00:00.000Z',
  },
  failureWindowHours: 24,
  entities: 1,
  environments: [dev, staging, prod],
};
