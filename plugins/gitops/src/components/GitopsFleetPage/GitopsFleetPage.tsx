import { parseEntityRef } from '@backstage/catalog-model';
import {
  Content,
  ContentHeader,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  OVERVIEW_COUNTED_STATUSES,
  OverviewCounts,
  OverviewEnvironment,
  OverviewItem,
  OverviewQuery,
  OverviewSort,
} from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useStatusDotStyles } from '../statusDotStyles';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import {
  REFRESH_MS,
  useRefreshWhileVisible,
} from '../EntityGitopsContent/EntityGitopsContent';
import { FleetDeliveryMetrics } from '../DeliveryMetrics';
import {
  SupplyChainIndicator,
  isInsecure,
  supplyChainSummary,
} from '../Evidence/SupplyChainIndicator';
import { RolloutChip, rolloutChipLabel } from '../Progressive';
import { FleetFreezes } from './FleetFreezes';

/** Rows per page: the fleet page never needs the whole fleet at once. */
export const PAGE_SIZE = 100;

/** What the state filter offers, as the overview's `status` values. */
export const STATE_FILTERS: Array<{ value: string; label: string }> = [
  { value: '', label: 'All' },
  { value: 'problems', label: 'Only problems' },
  { value: 'OutOfSync', label: 'Out of sync' },
  { value: 'Degraded', label: 'Degraded' },
  { value: 'Progressing', label: 'Progressing' },
  { value: 'stale', label: 'Stale' },
  { value: 'error', label: 'Errors' },
  { value: 'insecure', label: 'Unsigned or vulnerable' },
];

/**
 * How each count of the overview reads on its chip; with the environment filtered to, where
 * that matters (`2 unsigned or vulnerable in prod`).
 */
export const COUNT_LABELS: Record<
  (typeof OVERVIEW_COUNTED_STATUSES)[number],
  (count: number, environment?: string) => string
> = {
  problems: n => `${n} with problems`,
  OutOfSync: n => `${n} out of sync`,
  Degraded: n => `${n} degraded`,
  Progressing: n => `${n} progressing`,
  stale: n => `${n} stale`,
  error: n => `${n} with errors`,
  insecure: (n, environment) =>
    `${n} unsigned or vulnerable${environment ? ` in ${environment}` : ''}`,
};

/**
 * The sortable columns, with the direction a first click sorts in: names A→Z, the most
 * problems first.
 */
const SORTABLE_COLUMNS: Array<{
  sort: OverviewSort;
  label: string;
  firstOrder: 'asc' | 'desc';
}> = [
  { sort: 'name', label: 'Service', firstOrder: 'asc' },
  { sort: 'owner', label: 'Owner', firstOrder: 'asc' },
  { sort: 'problems', label: 'Problems', firstOrder: 'desc' },
];

type Order = 'asc' | 'desc';

const useStyles = makeStyles(theme => ({
  filters: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    alignItems: 'flex-end',
    marginBottom: theme.spacing(2),
  },
  cell: { whiteSpace: 'nowrap' },
  pending: {
    maxWidth: 480,
    margin: theme.spacing(1, 0),
  },
  counts: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    margin: theme.spacing(1, 0),
  },
  paging: {
    display: 'flex',
    gap: theme.spacing(2),
    alignItems: 'center',
    marginTop: theme.spacing(2),
  },
}));

function stateOf(env: OverviewEnvironment) {
  if (env.error || env.health === 'Degraded' || env.health === 'Missing')
    return 'failing';
  if (env.stale || !env.sync) return 'unknown';
  return env.sync === 'Synced' && env.health === 'Healthy' && !env.problems
    ? 'ok'
    : 'changing';
}

function EnvironmentCell(props: { env?: OverviewEnvironment }) {
  const classes = useStyles();
  const dots = useStatusDotStyles();
  const { env } = props;
  if (!env) return <TableCell>—</TableCell>;
  const version = env.tag ?? env.chartVersion ?? env.digest?.slice(0, 19);
  const state = [env.sync, env.health].filter(Boolean).join(' · ');
  const insecure =
    env.supplyChain && isInsecure(env.supplyChain)
      ? `, ${supplyChainSummary(env.supplyChain)}`
      : '';
  const rollout = env.rollout ? `, ${rolloutChipLabel(env.rollout)}` : '';
  return (
    <TableCell
      className={classes.cell}
      title={env.error ?? (state || undefined)}
      aria-label={`${env.name}: ${version ?? 'no version'}${
        state ? `, ${state}` : ''
      }${env.problems ? `, ${env.problems} problems` : ''}${
        env.stale ? ', stale' : ''
      }${rollout}${insecure}`}
    >
      <span className={`${dots.dot} ${dots[stateOf(env)]}`} />
      {version ?? '—'}
      {env.problems > 0 && ` · ${env.problems} ⚠`}
      {env.stale && ' · stale'}
      <RolloutChip environment={env.name} rollout={env.rollout} />
      <SupplyChainIndicator
        environment={env.name}
        supplyChain={env.supplyChain}
      />
    </TableCell>
  );
}

const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * While the backend has not read the whole fleet yet (after a start), how much is left: the
 * counts cover only what was read. The page's polling brings the rest in.
 */
function PendingNote(props: { counts: OverviewCounts }) {
  const classes = useStyles();
  const { total, pending = 0 } = props.counts;
  const read = Math.max(0, total - pending);
  const label = `Reading ${formatCount(pending)} more ${
    pending === 1 ? 'service' : 'services'
  }… counts cover the ${formatCount(read)} read so far`;
  return (
    <div className={classes.pending} role="status" aria-label={label}>
      <Typography variant="caption" color="textSecondary">
        {label}
      </Typography>
      <LinearProgress
        variant="determinate"
        value={total > 0 ? (100 * read) / total : 0}
        aria-label="Services read"
      />
    </div>
  );
}

/** A chip per state with its count; choosing one filters to it, choosing it again clears. */
function StateCounts(props: {
  counts: OverviewCounts;
  status: string | undefined;
  environment: string | undefined;
  onChoose: (status: string) => void;
}) {
  const classes = useStyles();
  const { counts, status, environment, onChoose } = props;
  return (
    <div
      className={classes.counts}
      role="group"
      aria-label="Services per state"
    >
      <Chip
        size="small"
        label={`All ${counts.total}`}
        color={status ? 'default' : 'primary'}
        aria-pressed={!status}
        onClick={() => onChoose('')}
      />
      {/* A backend older than a state's count does not send it: no chip for it. */}
      {OVERVIEW_COUNTED_STATUSES.filter(
        state => typeof counts[state] === 'number',
      ).map(state => {
        const chosen = status?.toLowerCase() === state.toLowerCase();
        return (
          <Chip
            key={state}
            size="small"
            variant={chosen ? 'default' : 'outlined'}
            color={chosen ? 'primary' : 'default'}
            data-testid={`fleet-count-${state}`}
            label={COUNT_LABELS[state](counts[state], environment)}
            aria-pressed={chosen}
            onClick={() => onChoose(chosen ? '' : state)}
          />
        );
      })}
    </div>
  );
}

function SortableHeader(props: {
  column: (typeof SORTABLE_COLUMNS)[number];
  sort: OverviewSort;
  order: Order;
  onSort: (sort: OverviewSort, order: Order) => void;
}) {
  const { column, sort, order, onSort } = props;
  const active = column.sort === sort;
  let next = column.firstOrder;
  if (active) next = order === 'asc' ? 'desc' : 'asc';
  return (
    <TableCell
      sortDirection={active ? order : false}
      // A heading is one word ("Owner", "Problems"): never broken over two lines.
      style={{ whiteSpace: 'nowrap' }}
    >
      <TableSortLabel
        active={active}
        direction={active ? order : column.firstOrder}
        onClick={() => onSort(column.sort, next)}
      >
        {column.label}
      </TableSortLabel>
    </TableCell>
  );
}

function FleetTable(props: {
  items: OverviewItem[];
  sort: OverviewSort;
  order: Order;
  onSort: (sort: OverviewSort, order: Order) => void;
}) {
  const { items, sort, order, onSort } = props;
  // Environments in the order the backend answers them (promotion order).
  const names = [
    ...new Set(items.flatMap(i => i.environments.map(e => e.name))),
  ].filter(n => n !== '*');
  return (
    <Table size="small" aria-label="GitOps fleet">
      <TableHead>
        <TableRow>
          {SORTABLE_COLUMNS.map(column => (
            <SortableHeader
              key={column.sort}
              column={column}
              sort={sort}
              order={order}
              onSort={onSort}
            />
          ))}
          {names.map(n => (
            <TableCell key={n}>{n}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {items.map(item => {
          const ref = parseEntityRef(item.entityRef);
          const broken = item.environments.find(e => e.name === '*');
          return (
            <TableRow key={item.entityRef}>
              <TableCell>
                <Link
                  to={`/catalog/${ref.namespace}/${ref.kind}/${ref.name}/gitops`}
                >
                  {item.title ?? ref.name}
                </Link>
              </TableCell>
              <TableCell>{item.owner ?? '—'}</TableCell>
              <TableCell>
                {broken
                  ? '—'
                  : item.environments.reduce((n, e) => n + e.problems, 0)}
              </TableCell>
              {broken ? (
                <TableCell colSpan={names.length}>
                  <Typography variant="body2" color="error">
                    {broken.error}
                  </Typography>
                </TableCell>
              ) : (
                names.map(n => (
                  <EnvironmentCell
                    key={n}
                    env={item.environments.find(e => e.name === n)}
                  />
                ))
              )}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** The filters kept in the URL, so a filtered view can be shared and reloaded. */
function useFilters() {
  const [params, setParams] = useSearchParams();
  const query: OverviewQuery = {
    q: params.get('q') ?? undefined,
    owner: params.get('owner') ?? undefined,
    environment: params.get('environment') ?? undefined,
    status: params.get('status') ?? undefined,
    sort: (params.get('sort') as OverviewSort | null) ?? undefined,
    order: (params.get('order') as Order | null) ?? undefined,
    cursor: params.get('cursor') ?? undefined,
  };
  const setAll = (changes: Partial<Record<keyof OverviewQuery, string>>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    // Another filter or order starts from the first page.
    if (!('cursor' in changes)) next.delete('cursor');
    setParams(next, { replace: true });
  };
  const set = (key: keyof OverviewQuery, value: string) =>
    setAll({ [key]: value });
  return { query, set, setAll };
}

/**
 * The fleet: every GitOps-managed service × environment with version, sync/health and
 * problems, filtered and paged on the server, the filters in the URL.
 *
 * @public
 */
export function GitopsFleetPage() {
  const classes = useStyles();
  const api = useApi(gitopsApiRef);
  const { query, set, setAll } = useFilters();
  const [text, setText] = useState(query.q ?? '');
  const key = JSON.stringify(query);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getOverview({ ...JSON.parse(key), limit: PAGE_SIZE }),
    [api, key],
  );
  useRefreshWhileVisible(retry, REFRESH_MS);

  return (
    <Content>
      <ContentHeader
        title="Fleet"
        description="Every GitOps-managed service in each environment: the version Git asks for, sync and health, problems and supply-chain evidence."
      />
      <FleetFreezes />
      <form
        className={classes.filters}
        onSubmit={e => {
          e.preventDefault();
          set('q', text.trim());
        }}
      >
        <TextField
          id="gitops-fleet-search"
          label="Search services"
          value={text}
          onChange={e => setText(e.target.value)}
          onBlur={() => set('q', text.trim())}
        />
        <TextField
          id="gitops-fleet-owner"
          label="Owner"
          defaultValue={query.owner ?? ''}
          onBlur={e => set('owner', e.target.value.trim())}
        />
        <TextField
          id="gitops-fleet-environment"
          label="Environment"
          defaultValue={query.environment ?? ''}
          onBlur={e => set('environment', e.target.value.trim())}
        />
        <TextField
          select
          label="State"
          value={query.status ?? ''}
          onChange={e => set('status', e.target.value)}
          style={{ minWidth: 160 }}
          id="gitops-fleet-state"
          // Named by its label and the state it shows (MUI joins the two ids).
          SelectProps={{
            SelectDisplayProps: { id: 'gitops-fleet-state-button' } as any,
          }}
        >
          {STATE_FILTERS.map(f => (
            <MenuItem key={f.value} value={f.value}>
              {f.label}
            </MenuItem>
          ))}
        </TextField>
      </form>
      {loading && !value && <Progress />}
      {error && !value && <ResponseErrorPanel error={error} />}
      {value && (
        <>
          <Typography variant="body2" aria-label="Matching services">
            {value.totalCount} {value.totalCount === 1 ? 'service' : 'services'}
          </Typography>
          {(value.counts?.pending ?? 0) > 0 && (
            <PendingNote counts={value.counts!} />
          )}
          {value.counts && (
            <StateCounts
              counts={value.counts}
              status={query.status}
              environment={query.environment}
              onChoose={status => set('status', status)}
            />
          )}
          {value.items.length > 0 ? (
            <FleetTable
              items={value.items}
              sort={query.sort ?? 'name'}
              order={query.order ?? 'asc'}
              onSort={(sort, order) => setAll({ sort, order })}
            />
          ) : (
            <Typography variant="body1">
              No GitOps-managed service matches these filters.
            </Typography>
          )}
          <div className={classes.paging}>
            {query.cursor && (
              <Button size="small" onClick={() => set('cursor', '')}>
                First page
              </Button>
            )}
            {value.nextCursor && (
              <Button
                size="small"
                variant="outlined"
                onClick={() => set('cursor', value.nextCursor!)}
              >
                Next {PAGE_SIZE}
              </Button>
            )}
          </div>
        </>
      )}
      <FleetDeliveryMetrics
        owner={query.owner}
        environment={query.environment}
      />
    </Content>
  );
}
