import { DeploymentRecord } from '@gitops-backstage/plugin-gitops-common';

/** A ledger row with its times parsed once (epoch milliseconds). */
export interface LedgerEntry {
  record: DeploymentRecord;
  observed: number;
  committed: number;
}

/** The ledger rows the metrics read, ordered and looked up without rescanning. */
export interface DeploymentLedgerIndex {
  /** Each entity's version changes in one environment, oldest first. */
  timelines(environment: string): LedgerEntry[][];
  /** One entity's rows of one version in one environment, oldest first. */
  versionHistory(
    entityRef: string,
    environment: string,
    version: string,
  ): LedgerEntry[];
}

const byObservedAt = (a: LedgerEntry, b: LedgerEntry) =>
  a.observed - b.observed || (a.record.id < b.record.id ? -1 : 1);

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Indexes the rows of the given environments. Scaling rows are left out: they change neither
 * the version that runs nor anything a delivery metric measures, so "the next row" after a
 * change means the next version change (a scale between a promotion and its rollback does not
 * hide the rollback). Rows whose observedAt does not parse cannot be placed and are left out.
 */
export function indexDeploymentLedger(
  records: DeploymentRecord[],
  environments: string[],
): DeploymentLedgerIndex {
  const wanted = new Set(environments);
  const byEnvironment = new Map<string, Map<string, LedgerEntry[]>>();
  const byVersion = new Map<string, LedgerEntry[]>();
  for (const record of records) {
    if (record.kind === 'scale' || !wanted.has(record.environment)) continue;
    const observed = Date.parse(record.observedAt);
    if (Number.isNaN(observed)) continue;
    const entry = {
      record,
      observed,
      committed: Date.parse(record.committedAt),
    };
    let entities = byEnvironment.get(record.environment);
    if (!entities) {
      entities = new Map();
      byEnvironment.set(record.environment, entities);
    }
    push(entities, record.entityRef, entry);
    push(
      byVersion,
      versionKey(record.entityRef, record.environment, record.version),
      entry,
    );
  }
  for (const entities of byEnvironment.values()) {
    for (const timeline of entities.values()) timeline.sort(byObservedAt);
  }
  for (const history of byVersion.values()) history.sort(byObservedAt);

  return {
    timelines: environment => [
      ...(byEnvironment.get(environment)?.values() ?? []),
    ],
    versionHistory: (entityRef, environment, version) =>
      byVersion.get(versionKey(entityRef, environment, version)) ?? [],
  };
}

function versionKey(entityRef: string, environment: string, version: string) {
  return JSON.stringify([entityRef, environment, version]);
}
