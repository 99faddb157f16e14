import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  Content,
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
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Fragment, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import { isGitopsAvailable, useCurrentEntityRef } from '../../lib';
import { PromoteDialog } from '../EnvironmentActions/EnvironmentActions';
import { EnvironmentLane } from './EnvironmentLane';
import { useEntityChangeSignal } from './useEntityChangeSignal';
import { PromoteArrow } from './PromoteArrow';
import { CompareEnvironments } from './CompareEnvironments';
import { EntityDeliveryMetrics } from '../DeliveryMetrics';
import { EntityFreezeBanner } from '../Policy/FreezeBanner';

/** How often the lanes are read again while the page is visible. */
export const REFRESH_MS = 15_000;

/**
 * With Backstage signals the backend says when to read again; polling stays as the fallback
 * for a signal lost on a reconnect.
 */
export const REFRESH_WITH_SIGNALS_MS = 60_000;

/** Below this width the lanes stack, each with the whole width. */
export const LANES_STACK_BELOW_PX = 900;

const useStyles = makeStyles(theme => ({
  // Side by side, the lanes share the width (three lanes and two controls fit at 1280 px
  // without scrolling, and grow with the screen); on a narrow screen they stack.
  lanes: {
    display: 'flex',
    alignItems: 'stretch',
    gap: theme.spacing(1),
    paddingBottom: theme.spacing(1),
    [`@media (max-width: ${LANES_STACK_BELOW_PX - 0.05}px)`]: {
      flexDirection: 'column',
    },
  },
  lane: { flex: '1 1 0', minWidth: 0 },
  // The promote control sits level with the lanes' versions, not in the middle of tall lanes.
  arrow: {
    display: 'flex',
    alignItems: 'flex-start',
    justifyContent: 'center',
    flex: '0 0 auto',
    width: theme.spacing(11),
    paddingTop: theme.spacing(7),
    '& button': {
      overflowWrap: 'anywhere',
      lineHeight: 1.3,
      // Versions keep their case (v1.0.5, not V1.0.5).
      textTransform: 'none',
    },
    [`@media (max-width: ${LANES_STACK_BELOW_PX - 0.05}px)`]: {
      width: 'auto',
      paddingTop: 0,
    },
  },
}));

/** Reads again every `ms` while the browser tab is visible; not while it is hidden. */
export function useRefreshWhileVisible(refresh: () => void, ms: number) {
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState !== 'hidden') refresh();
    }, ms);
    return () => clearInterval(timer);
  }, [refresh, ms]);
}

function Lanes(props: {
  environments: EnvironmentStatus[];
  entityRef: CompoundEntityRef;
  activityKey: number;
  onChanged: () => void;
}) {
  const { environments, entityRef, activityKey, onChanged } = props;
  const classes = useStyles();
  const [promoting, setPromoting] = useState<{ from: string; to: string }>();
  const now = Date.now();
  return (
    <div className={classes.lanes}>
      {environments.map((environment, index) => {
        const previous = environments[index - 1]?.name;
        return (
          <Fragment key={environment.name}>
            {previous && (
              <div className={classes.arrow}>
                <PromoteArrow
                  entityRef={entityRef}
                  from={environments[index - 1]}
                  to={environment}
                  onClick={() =>
                    setPromoting({ from: previous, to: environment.name })
                  }
                />
              </div>
            )}
            <div className={classes.lane}>
              <EnvironmentLane
                environment={environment}
                previous={previous}
                before={environments[index - 1]}
                activityKey={activityKey}
                entityRef={entityRef}
                onChanged={onChanged}
                now={now}
              />
            </div>
          </Fragment>
        );
      })}
      {promoting && (
        <PromoteDialog
          entityRef={entityRef}
          from={promoting.from}
          to={promoting.to}
          onClose={() => setPromoting(undefined)}
          onDone={onChanged}
        />
      )}
    </div>
  );
}

function GitopsLanes(props: { entityRef: CompoundEntityRef }) {
  const { entityRef } = props;
  const api = useApi(gitopsApiRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEnvironments(entityRef),
    [api, entityRef],
  );
  // Bumped when an action changed: the lanes' Git activity (pending reviews, last change) is
  // read again even when the branch did not move (a pull request leaves it as it is).
  const [activityKey, setActivityKey] = useState(0);
  const signalled = useEntityChangeSignal(entityRef, signal => {
    retry();
    if (signal.kind === 'action') setActivityKey(key => key + 1);
  });
  useRefreshWhileVisible(
    retry,
    signalled ? REFRESH_WITH_SIGNALS_MS : REFRESH_MS,
  );

  // A refresh keeps the lanes on screen: only the first load shows progress.
  if (loading && !value) return <Progress />;
  if (error && !value) {
    return (
      <ResponseErrorPanel
        error={error}
        title={error instanceof ResponseError ? error.cause.message : undefined}
      />
    );
  }
  if (!value?.environments.length) {
    return (
      <Typography variant="body2">
        No GitOps environments are configured (gitops.environments).
      </Typography>
    );
  }
  return (
    <>
      <EntityFreezeBanner environments={value.environments} />
      <Lanes
        environments={value.environments}
        entityRef={entityRef}
        activityKey={activityKey}
        onChanged={() => {
          retry();
          setActivityKey(key => key + 1);
        }}
      />
      {value.environments.length >= 2 && (
        <CompareEnvironments
          entityRef={entityRef}
          environments={value.environments.map(e => e.name)}
          refreshKey={JSON.stringify(value.environments.map(e => e.desired))}
        />
      )}
      <EntityDeliveryMetrics entityRef={entityRef} />
    </>
  );
}

/**
 * The GitOps tab of an entity: one lane per environment in promotion order, a promote arrow
 * between lanes, and each lane's changes (scale, roll back) through the dry-run dialog.
 *
 * @public
 */
export function EntityGitopsContent() {
  const { entity, entityRef } = useCurrentEntityRef();
  return (
    <Content>
      {isGitopsAvailable(entity) ? (
        <GitopsLanes entityRef={entityRef} />
      ) : (
        <MissingAnnotationEmptyState annotation={ANNOTATION_GITOPS_PATH} />
      )}
    </Content>
  );
}
