import {
  OVERVIEW_COUNTED_STATUSES,
  OverviewCounts,
  OverviewItem,
  OverviewSort,
} from '@gitops-backstage/plugin-gitops-common';
import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

// The fleet overview's pure parts: which rows a status or owner filter matches, the orders,
// the paging cursor that carries an order, and the counts per state.

/** Where a row stands in the order asked for: its sort key, then its entity ref. */
export interface Position {
  /** The entity ref (name), the owner as a ref (null when none) or the problems shown. */
  key: string | number | null;
  ref: string;
}

export function positionOf(item: OverviewItem, sort: OverviewSort): Position {
  const ref = item.entityRef;
  if (sort === 'owner') {
    return { key: item.owner ? normalizeOwner(item.owner) : null, ref };
  }
  if (sort === 'problems') {
    return {
      key: item.environments.reduce((sum, env) => sum + env.problems, 0),
      ref,
    };
  }
  return { key: ref, ref };
}

/**
 * The order of rows: by key (rows without one last, whatever the order), ties by entity ref
 * ascending. A total order, so a cursor (the last row's position) says exactly where the next
 * page starts: rows are neither skipped nor repeated, whatever the order.
 */
export function comparePositions(
  a: Position,
  b: Position,
  order: 'asc' | 'desc',
): number {
  if (a.key !== b.key) {
    if (a.key === null) return 1;
    if (b.key === null) return -1;
    const byKey = a.key < b.key ? -1 : 1;
    return order === 'desc' ? -byKey : byKey;
  }
  return a.ref < b.ref ? -1 : Number(a.ref > b.ref);
}

/** Cursors hold the order and the last row's position; opaque to clients. */
export function encodeCursor(
  sort: OverviewSort,
  order: 'asc' | 'desc',
  position: Position,
): string {
  return Buffer.from(
    JSON.stringify({ sort, order, key: position.key, ref: position.ref }),
    'utf8',
  ).toString('base64url');
}

const ENTITY_REF = /^[a-z0-9-_.]+:[^/]+\/.+$/i;

export function decodeCursor(
  cursor: string | undefined,
  sort: OverviewSort,
  order: 'asc' | 'desc',
): Position | undefined {
  if (!cursor) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Cursors from before the orders were the last entity ref alone (kept in URLs people saved).
  const parsed = ENTITY_REF.test(text)
    ? { sort: 'name', order: 'asc', key: text, ref: text }
    : parseJson(text);
  const valid =
    typeof parsed?.ref === 'string' &&
    ENTITY_REF.test(parsed.ref) &&
    (parsed.key === null ||
      typeof parsed.key === 'string' ||
      typeof parsed.key === 'number');
  if (!valid) {
    throw new InputError(`"${cursor}" is not a cursor of this overview`);
  }
  if (parsed.sort !== sort || parsed.order !== order) {
    throw new InputError(
      `"${cursor}" is a cursor of another order than ${sort} ${order}: start from the first page`,
    );
  }
  return { key: parsed.key, ref: parsed.ref };
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Services with at least one shown environment in each state, and all of them. */
export function countStates(items: OverviewItem[]): OverviewCounts {
  const counts = { total: items.length } as OverviewCounts;
  for (const status of OVERVIEW_COUNTED_STATUSES) {
    counts[status] = 0;
  }
  for (const item of items) {
    for (const status of OVERVIEW_COUNTED_STATUSES) {
      if (item.environments.some(env => hasStatus(env, status))) {
        counts[status] += 1;
      }
    }
  }
  return counts;
}

/** `guests`, `default/guests` and `group:default/guests` name the same owner. */
export function normalizeOwner(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return owner.toLowerCase();
  }
}

export function hasStatus(
  env: OverviewItem['environments'][number],
  status: string,
): boolean {
  const wanted = status.toLowerCase();
  if (wanted === 'problems') return env.problems > 0;
  if (wanted === 'error') return env.error !== null;
  if (wanted === 'stale') return env.stale;
  if (wanted === 'insecure') return isInsecure(env);
  if (wanted === 'rollout') return Boolean(env.rollout);
  return (
    env.sync?.toLowerCase() === wanted || env.health?.toLowerCase() === wanted
  );
}

/** Unsigned, an invalid signature, or critical or high vulnerabilities (from the caches). */
export function isInsecure(env: OverviewItem['environments'][number]): boolean {
  const chain = env.supplyChain;
  if (!chain) return false;
  return (
    chain.signature === 'unsigned' ||
    chain.signature === 'invalid' ||
    (chain.critical ?? 0) > 0 ||
    (chain.high ?? 0) > 0
  );
}
