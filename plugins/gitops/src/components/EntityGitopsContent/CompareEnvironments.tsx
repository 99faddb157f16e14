import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  CompareResponse,
  DifferenceValue,
  EnvironmentDifference,
} from '@gitops-backstage/plugin-gitops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { shortRevision } from '../../lib';
import { LabelledSelect } from '../LabelledSelect';

/**
 * Fields that carry the version a promotion moves. Every other difference stays when a
 * version is promoted: that is what the comparison is for.
 */
export const VERSION_FIELDS: ReadonlySet<string> = new Set([
  'image.tag',
  'image.digest',
  'chart.version',
]);

const useStyles = makeStyles(theme => ({
  pickers: {
    display: 'flex',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  section: {
    marginTop: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  version: { backgroundColor: theme.palette.action.hover },
  value: { fontFamily: 'monospace', wordBreak: 'break-all' },
  field: { fontFamily: 'monospace', whiteSpace: 'nowrap' },
}));

/** A value as text: lists and maps compactly; `null` (not set) as `undefined`. */
export function formatDifferenceValue(
  value: DifferenceValue | undefined,
): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function ValueCell(props: { value: DifferenceValue }) {
  const classes = useStyles();
  const text = formatDifferenceValue(props.value);
  return (
    <TableCell className={classes.value}>
      {text ?? (
        <Typography variant="body2" color="textSecondary" component="em">
          not set
        </Typography>
      )}
    </TableCell>
  );
}

function DifferenceTable(props: {
  label: string;
  from: string;
  to: string;
  differences: EnvironmentDifference[];
  className?: string;
}) {
  const classes = useStyles();
  const { label, from, to, differences, className } = props;
  return (
    <Table size="small" aria-label={label} className={className}>
      <TableHead>
        <TableRow>
          <TableCell>Field</TableCell>
          <TableCell>{from}</TableCell>
          <TableCell>{to}</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {differences.map(d => (
          <TableRow key={d.field}>
            <TableCell className={classes.field}>{d.field}</TableCell>
            <ValueCell value={d.from} />
            <ValueCell value={d.to} />
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Differences(props: { comparison: CompareResponse }) {
  const classes = useStyles();
  const { from, to, revision, differences } = props.comparison;
  const read = (
    <Typography variant="caption" color="textSecondary" component="div">
      Read at {shortRevision(revision)}
    </Typography>
  );
  if (differences.length === 0) {
    return (
      <>
        <Typography variant="body2">
          The two environments are the same in Git.
        </Typography>
        {read}
      </>
    );
  }
  const version = differences.filter(d => VERSION_FIELDS.has(d.field));
  const other = differences.filter(d => !VERSION_FIELDS.has(d.field));
  return (
    <>
      <Typography variant="subtitle2" className={classes.section}>
        Version
      </Typography>
      {version.length > 0 ? (
        <DifferenceTable
          label={`Version of ${from} and ${to}`}
          from={from}
          to={to}
          differences={version}
          className={classes.version}
        />
      ) : (
        <Typography variant="body2">Same version in both.</Typography>
      )}
      <Typography variant="subtitle2" className={classes.section}>
        Besides the version (a promotion leaves these as they are)
      </Typography>
      {other.length > 0 ? (
        <DifferenceTable
          label={`Other differences of ${from} and ${to}`}
          from={from}
          to={to}
          differences={other}
        />
      ) : (
        <Typography variant="body2">
          No differences besides the version.
        </Typography>
      )}
      {read}
    </>
  );
}

/**
 * Any two environments side by side as Git declares them, the version apart from the rest:
 * what else differs (replicas, resources, env vars, …) is what a promotion does not carry over.
 * Starts with the last two in promotion order (e.g. staging → prod).
 */
export function CompareEnvironments(props: {
  entityRef: CompoundEntityRef;
  /** Environment names in promotion order; at least two. */
  environments: string[];
  /**
   * Changes when what Git declares may have changed (e.g. after a promotion): the comparison
   * is read again, the previous one staying on screen meanwhile.
   */
  refreshKey?: string;
}) {
  const { entityRef, environments, refreshKey } = props;
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const [from, setFrom] = useState(environments[environments.length - 2]);
  const [to, setTo] = useState(environments[environments.length - 1]);
  const environmentOptions = environments.map(name => ({
    value: name,
    label: name,
  }));
  const same = from === to;
  const { value, loading, error } = useAsync(
    async () => (same ? undefined : api.compare(entityRef, from, to)),
    [api, entityRef, from, to, same, refreshKey],
  );
  // A refresh of the same pair keeps its table on screen: no progress flash.
  const shown = value?.from === from && value?.to === to ? value : undefined;

  let content;
  if (same) {
    content = (
      <Typography variant="body2">Pick two different environments.</Typography>
    );
  } else if (loading && !shown) {
    content = <Progress />;
  } else if (error) {
    content = (
      <ResponseErrorPanel
        error={error}
        title={error instanceof ResponseError ? error.cause.message : undefined}
      />
    );
  } else if (shown) {
    content = <Differences comparison={shown} />;
  }

  return (
    <InfoCard
      title="Compare environments"
      subheader="What Git declares differently for two environments"
    >
      <div className={classes.pickers}>
        <LabelledSelect
          label="From"
          ariaLabel="Compare From"
          value={from}
          options={environmentOptions}
          onChange={setFrom}
        />
        <LabelledSelect
          label="To"
          ariaLabel="Compare To"
          value={to}
          options={environmentOptions}
          onChange={setTo}
        />
      </div>
      {content}
    </InfoCard>
  );
}
