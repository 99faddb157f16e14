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
  DesiredState,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { EnvironmentActions } from '../EnvironmentActions/EnvironmentActions';
import { gitopsApiRef } from '../../api';
import {
  formatLive,
  formatNewer,
  formatSync,
  formatResources,
  formatScaling,
  formatVersion,
  isGitopsAvailable,
  shortRevision,
  useCurrentEntityRef,
} from '../../lib';

const TITLE = 'GitOps environments';
const COLUMNS = 9;

const useStyles = makeStyles(theme => ({
  // Cards are often half the page wide: let the table scroll instead of
  // squeezing the columns until nothing is readable.
  scroll: {
    overflowX: 'auto',
  },
  name: {
    fontWeight: theme.typography.fontWeightBold as number,
    whiteSpace: 'nowrap',
  },
  // Column titles are single words that narrow columns would break mid-word.
  head: {
    '& th': { whiteSpace: 'nowrap' },
  },
  // Versions are compared across rows; a wrapped one is hard to compare.
  version: {
    whiteSpace: 'nowrap',
  },
  attached: {
    borderBottom: 'none',
  },
  warnings: {
    margin: 0,
    paddingLeft: theme.spacing(2),
    color: theme.palette.warning.dark,
  },
}));

function imageRef(desired: DesiredState): string | undefined {
  if (!desired.image) {
    return undefined;
  }
  const tag = desired.tag ? `:${desired.tag}` : '';
  const digest = desired.digest ? `@${desired.digest}` : '';
  return `${desired.image}${tag}${digest}`;
}

// A ResponseError's own message is only the status line; the reason the
// backend gave (not found, not allowed, …) is what the user can act on.
function errorTitle(error: Error): string | undefined {
  return error instanceof ResponseError ? error.cause.message : undefined;
}

function EnvironmentRows(props: {
  environment: EnvironmentStatus;
  /** The environment before this one in promotion order. */
  previous?: string;
  entityRef: CompoundEntityRef;
  onChanged: () => void;
}) {
  const { name, desired, error, live, sync, problems, registry } =
    props.environment;
  const { previous, entityRef, onChanged } = props;
  const classes = useStyles();
  // Git's warnings, then the cluster's (stale data, kinds the account may not read).
  const warnings = [
    ...(desired?.warnings ?? []),
    ...(props.environment.warnings ?? []),
  ];

  if (!desired) {
    return (
      <TableRow>
        <TableCell className={classes.name}>{name}</TableCell>
        <TableCell colSpan={COLUMNS - 1}>
          <Typography variant="body2" color="error">
            {error ?? 'Git sets no state for this environment'}
          </Typography>
        </TableCell>
      </TableRow>
    );
  }

  const { source } = desired;
  // Where the version is written, when the backend resolved it from the engine's definition.
  const versionOrigin =
    desired.origins?.tag ??
    desired.origins?.digest ??
    (desired.imageSource === 'chartDefaults'
      ? desired.origins?.chartVersion
      : undefined);
  // Notes (an error of one side, problems, warnings) go in a row of their own under the
  // values; no border between the two.
  const hasNotes = Boolean(error) || problems.length > 0 || warnings.length > 0;
  const attached = hasNotes ? classes.attached : '';
  return (
    <>
      <TableRow>
        <TableCell className={`${classes.name} ${attached}`}>{name}</TableCell>
        <TableCell
          className={`${classes.version} ${attached}`}
          title={imageRef(desired)}
        >
          {formatVersion(desired, sync?.chartVersion)}
          {desired.imageSource === 'chartDefaults' && (
            <Typography variant="caption" component="div" color="textSecondary">
              image from the chart&apos;s defaults (not in Git)
            </Typography>
          )}
          {versionOrigin && (
            <Typography
              variant="caption"
              component="div"
              color="textSecondary"
              title={`${versionOrigin.file}:${versionOrigin.line} ${versionOrigin.yamlPath}`}
            >
              {`${versionOrigin.file.split('/').pop()}:${versionOrigin.line}`}
            </Typography>
          )}
        </TableCell>
        <TableCell
          className={`${classes.version} ${attached}`}
          title={registry?.newer.join(', ')}
        >
          {formatNewer(registry)}
        </TableCell>
        <TableCell
          className={`${classes.version} ${attached}`}
          title={
            live
              ? `${live.cluster} / ${live.namespace}: ${live.images.join(', ')}`
              : undefined
          }
        >
          {formatLive(live)}
        </TableCell>
        <TableCell
          className={`${classes.version} ${attached}`}
          title={sync?.object ?? undefined}
        >
          {formatSync(sync)}
        </TableCell>
        <TableCell className={attached}>{formatScaling(desired)}</TableCell>
        <TableCell className={attached}>
          {formatResources(desired.resources)}
        </TableCell>
        <TableCell
          className={`${classes.version} ${attached}`}
          title={`${source.repo} ${source.branch} ${source.revision}`}
        >
          {`${source.path} @ ${shortRevision(source.revision)}`}
        </TableCell>
        <TableCell className={`${classes.version} ${attached}`}>
          <EnvironmentActions
            entityRef={entityRef}
            environment={props.environment}
            previous={previous}
            onChanged={onChanged}
          />
        </TableCell>
      </TableRow>
      {hasNotes && (
        <TableRow>
          <TableCell />
          <TableCell colSpan={COLUMNS - 1}>
            {error && (
              <Typography variant="body2" color="error">
                {error}
              </Typography>
            )}
            {problems.length > 0 && (
              <Typography
                component="ul"
                variant="body2"
                className={classes.warnings}
                aria-label={`Problems in ${name}`}
              >
                {problems.map(problem => (
                  <li key={problem.type}>
                    <strong>{problem.type}</strong>: {problem.message}
                    <br />
                    <em>{problem.hint}</em>
                  </li>
                ))}
              </Typography>
            )}
            {warnings.length > 0 && (
              <Typography
                component="ul"
                variant="body2"
                className={classes.warnings}
                aria-label={`Warnings for ${name}`}
              >
                {warnings.map(warning => (
                  <li key={warning}>{warning}</li>
                ))}
              </Typography>
            )}
          </TableCell>
        </TableRow>
      )}
    </>
  );
}

function EnvironmentsTable(props: {
  environments: EnvironmentStatus[];
  entityRef: CompoundEntityRef;
  onChanged: () => void;
}) {
  const classes = useStyles();
  return (
    <div className={classes.scroll}>
      <Table size="small" aria-label={TITLE}>
        <TableHead className={classes.head}>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Git</TableCell>
            <TableCell>Newer</TableCell>
            <TableCell>Running</TableCell>
            <TableCell>Sync</TableCell>
            <TableCell>Scaling</TableCell>
            <TableCell>Resources (cpu/mem)</TableCell>
            <TableCell>Source</TableCell>
            <TableCell>Change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {/* The backend answers in promotion order; sorting would lose it. */}
          {props.environments.map((environment, index) => (
            <EnvironmentRows
              key={environment.name}
              environment={environment}
              previous={props.environments[index - 1]?.name}
              entityRef={props.entityRef}
              onChanged={props.onChanged}
            />
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function GitopsEnvironments(props: { entityRef: CompoundEntityRef }) {
  const { entityRef } = props;
  const gitopsApi = useApi(gitopsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => gitopsApi.getEnvironments(entityRef),
    [gitopsApi, entityRef],
  );

  // A reload after a promotion keeps the table on screen instead of a spinner.
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
        <ResponseErrorPanel error={error} title={errorTitle(error)} />
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
    <InfoCard title={TITLE} noPadding>
      <EnvironmentsTable
        environments={value.environments}
        entityRef={entityRef}
        onChanged={() => retry()}
      />
    </InfoCard>
  );
}

/**
 * What Git says should run in each environment of the current entity.
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
