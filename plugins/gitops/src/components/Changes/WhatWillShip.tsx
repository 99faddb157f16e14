import { CompoundEntityRef } from '@backstage/catalog-model';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { VersionChanges } from '@gitops-backstage/plugin-gitops-common';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { shortRevision } from '../../lib';
import { changesSummary, commitLink } from './changesSummary';

const useStyles = makeStyles(theme => ({
  sha: { fontFamily: 'monospace', marginRight: theme.spacing(1) },
  list: { maxHeight: 320, overflowY: 'auto' },
}));

function Commits(props: { changes: VersionChanges }) {
  const classes = useStyles();
  const { changes } = props;
  return (
    <List dense className={classes.list} aria-label="Commits">
      {changes.commits.map(commit => {
        const link = commitLink(changes, commit);
        const sha = shortRevision(commit.sha);
        const pr = commit.pullRequest;
        return (
          <ListItem key={commit.sha} disableGutters>
            <ListItemText
              primary={
                <>
                  {link ? (
                    <Link to={link} className={classes.sha}>
                      {sha}
                    </Link>
                  ) : (
                    <span className={classes.sha}>{sha}</span>
                  )}
                  {commit.message}
                </>
              }
              secondary={
                <>
                  {commit.author}
                  {pr && ' · '}
                  {pr &&
                    (pr.url ? (
                      <Link to={pr.url}>{`#${pr.number} ${pr.title}`}</Link>
                    ) : (
                      `#${pr.number} ${pr.title}`
                    ))}
                </>
              }
            />
          </ListItem>
        );
      })}
    </List>
  );
}

/** The answer: its summary and commits, or why there is nothing to list. */
export function ChangesView(props: { changes: VersionChanges }) {
  const { changes } = props;
  if (changes.unknownSource) {
    return (
      <Typography variant="body2" role="status">
        Unknown source: {changes.unknownSource}
      </Typography>
    );
  }
  if (changes.totalCommits === 0) {
    return (
      <Typography variant="body2" role="status">
        {changes.removedCommits > 0
          ? `No new commits: ${changes.to.version} lacks ${
              changes.removedCommits
            } commit${changes.removedCommits === 1 ? '' : 's'} ${
              changes.environment
            } runs.`
          : `No changes: ${changes.environment} already runs this source.`}
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="subtitle2">{changesSummary(changes)}</Typography>
      {changes.removedCommits > 0 && (
        <Typography variant="body2" color="error">
          {`Also drops ${changes.removedCommits} commit${
            changes.removedCommits === 1 ? '' : 's'
          } ${changes.environment} runs.`}
        </Typography>
      )}
      <Commits changes={changes} />
      {changes.truncated && (
        <Typography variant="caption" color="textSecondary">
          {`Showing the newest ${changes.commits.length} of ${changes.totalCommits} commits.`}
        </Typography>
      )}
    </>
  );
}

/**
 * What will ship when `to` replaces the version an environment runs: "12 commits, 4 pull
 * requests, 3 authors" and each commit, linked. Without `to`, what the environment before it
 * runs (what the environment is behind by).
 */
export function WhatWillShip(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  to?: string;
}) {
  const { entityRef, environment, to } = props;
  const api = useApi(gitopsApiRef);
  const { value, loading, error } = useAsync(
    () => api.getChanges(entityRef, environment, to),
    [api, entityRef.kind, entityRef.namespace, entityRef.name, environment, to],
  );
  if (loading) return <Progress />;
  if (error) {
    return (
      <ResponseErrorPanel
        error={error}
        title={error instanceof ResponseError ? error.cause.message : undefined}
      />
    );
  }
  return value ? <ChangesView changes={value} /> : null;
}
