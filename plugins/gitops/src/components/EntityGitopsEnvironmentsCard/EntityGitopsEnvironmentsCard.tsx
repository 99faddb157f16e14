import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { MissingAnnotationEmptyState } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_GITOPS_PATH,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useStatusDotStyles } from '../statusDotStyles';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import {
  formatSync,
  formatVersion,
  isGitopsAvailable,
  useCurrentEntityRef,
} from '../../lib';

const TITLE = 'GitOps environments';

const useStyles = makeStyles(theme => ({
  table: {
    // Half the page wide at 1280 px: four short columns, text wraps rather than overflows.
    tableLayout: 'fixed',
    width: '100%',
    '& td, & th': {
      overflowWrap: 'anywhere',
      paddingLeft: theme.spacing(1),
      paddingRight: theme.spacing(1),
    },
  },
  name: { fontWeight: theme.typography.fontWeightBold as number },
}));

/** Synced and healthy, degraded or failing, on its way, or not known (stale, no engine). */
function statusOf(
  environment: EnvironmentStatus,
): 'ok' | 'failing' | 'changing' | 'unknown' {
  const { sync, error, live } = environment;
  if (error || sync?.health === 'Degraded' || sync?.health === 'Missing')
    return 'failing';
  if (live?.stale || !sync || sync.engine === 'none') return 'unknown';
  return sync.status === 'Synced' && sync.health === 'Healthy'
    ? 'ok'
    : 'changing';
}

function EnvironmentRow(props: { environment: EnvironmentStatus }) {
  const { environment } = props;
  const { name, desired, sync, live, problems, error } = environment;
  const classes = useStyles();
  const dots = useStatusDotStyles();
  const status = [formatSync(sync), live?.stale ? 'stale' : null]
    .filter(Boolean)
    .join(' · ');
  return (
    <TableRow>
      <TableCell className={classes.name}>{name}</TableCell>
      <TableCell>
        {desired ? (
          formatVersion(desired, sync?.chartVersion)
        ) : (
          <Typography variant="body2" color="error">
            {error ?? 'Git sets no state for this environment'}
          </Typography>
        )}
      </TableCell>
      <TableCell title={sync?.message ?? error ?? undefined}>
        <span
          className={`${dots.dot} ${dots[statusOf(environment)]}`}
          aria-hidden
        />
        {status}
      </TableCell>
      <TableCell title={problems.map(p => p.type).join(', ') || undefined}>
        {problems.length > 0 || (error && desired)
          ? problems.length + (error && desired ? 1 : 0)
          : '—'}
      </TableCell>
    </TableRow>
  );
}

function EnvironmentsTable(props: { environments: EnvironmentStatus[] }) {
  const classes = useStyles();
  return (
    <Table size="small" aria-label={TITLE} className={classes.table}>
      <TableHead>
        <TableRow>
          <TableCell style={{ width: '22%' }}>Environment</TableCell>
          <TableCell style={{ width: '33%' }}>Git</TableCell>
          <TableCell style={{ width: '30%' }}>Status</TableCell>
          <TableCell style={{ width: '15%' }}>Problems</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {/* The backend answers in promotion order; sorting would lose it. */}
        {props.environments.map(environment => (
          <EnvironmentRow key={environment.name} environment={environment} />
        ))}
      </TableBody>
    </Table>
  );
}

function GitopsEnvironments(props: { entityRef: CompoundEntityRef }) {
  const { entityRef } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const { value, loading, error } = useAsyncRetry(
    () => gitopsApi.getEnvironments(entityRef),
    [gitopsApi, entityRef],
  );
  // Lanes, history and every change are on the GitOps tab of the same entity.
  const deepLink = { title: 'Open the GitOps tab', link: 'gitops' };

  if (loading && !value) {
    return (
      <InfoCard title={TITLE}>
        <Progress />
      </InfoCard>
    );
  }
  if (error) {
    return (
      <InfoCard title={TITLE}>
        <ResponseErrorPanel
          error={error}
          title={
            error instanceof ResponseError ? error.cause.message : undefined
          }
        />
      </InfoCard>
    );
  }
  if (!value?.environments.length) {
    return (
      <InfoCard title={TITLE}>
        <Typography variant="body2">
          No GitOps environments are configured.
        </Typography>
      </InfoCard>
    );
  }
  return (
    <InfoCard title={TITLE} noPadding deepLink={deepLink}>
      <EnvironmentsTable environments={value.environments} />
    </InfoCard>
  );
}

/**
 * A compact view of the current entity's environments for the Overview tab: per environment
 * the version Git asks for, a sync/health dot and the number of problems; the GitOps tab has
 * the rest.
 *
 * @public
 */
export function EntityGitopsEnvironmentsCard() {
  const { entity, entityRef } = useCurrentEntityRef();

  if (!isGitopsAvailable(entity)) {
    return (
      <InfoCard title={TITLE}>
        <MissingAnnotationEmptyState annotation={ANNOTATION_GITOPS_PATH} />
      </InfoCard>
    );
  }
  return <GitopsEnvironments entityRef={entityRef} />;
}
