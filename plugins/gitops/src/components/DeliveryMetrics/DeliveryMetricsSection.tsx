import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import {
  DeliveryMetrics,
  EnvironmentDeliveryMetrics,
} from '@gitops-backstage/plugin-gitops-common';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { LabelledSelect } from '../LabelledSelect';
import { DeploymentsPerDayChart } from './DeploymentsPerDayChart';
import { LeadTimeTrendChart } from './LeadTimeTrendChart';
import { MetricTile } from './MetricTile';
import { PromotionsRollbacksChart } from './PromotionsRollbacksChart';
import { METRICS_WINDOWS, MetricsWindow } from './deliveryFormat';
import { METRIC_DEFINITIONS } from './metricDefinitions';

const useStyles = makeStyles(theme => ({
  section: { marginTop: theme.spacing(2) },
  pickers: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  charts: { marginTop: theme.spacing(2) },
}));

/** What the section shows: the answer, and whether it is (still) loading or failed. */
export interface DeliveryMetricsState {
  value?: DeliveryMetrics;
  loading: boolean;
  error?: Error;
}

/** Nothing ran, and nothing failed to run, in any environment of the window. */
function nothingRecorded(metrics: DeliveryMetrics): boolean {
  return metrics.environments.every(
    e => e.counts.deployments === 0 && e.counts.failed === 0,
  );
}

function EmptyDelivery(props: { days: number }) {
  return (
    <>
      <Typography variant="body1">
        No deployments recorded in the last {props.days} days
      </Typography>
      <Typography variant="body2" color="textSecondary">
        The plugin records each change an environment runs, and reads a
        service's history from its engine and Git when it first sees the
        service; the metrics fill in as changes run.
      </Typography>
    </>
  );
}

function EnvironmentDelivery(props: {
  metrics: DeliveryMetrics;
  environment: EnvironmentDeliveryMetrics;
}) {
  const classes = useStyles();
  const { metrics, environment } = props;
  const days = Math.round(metrics.window.days);
  return (
    <>
      <Grid container spacing={2}>
        {METRIC_DEFINITIONS.map(definition => (
          <Grid item xs={12} sm={6} md={3} key={definition.key}>
            <MetricTile
              definition={definition}
              metric={environment[definition.key]}
              failureWindowHours={metrics.failureWindowHours}
            />
          </Grid>
        ))}
      </Grid>
      <Grid container spacing={2} className={classes.charts}>
        <Grid item xs={12}>
          <DeploymentsPerDayChart environment={environment} days={days} />
        </Grid>
        <Grid item xs={12} md={6}>
          <LeadTimeTrendChart environment={environment} />
        </Grid>
        <Grid item xs={12} md={6}>
          <PromotionsRollbacksChart environments={metrics.environments} />
        </Grid>
      </Grid>
    </>
  );
}

/**
 * The Delivery section: DORA metrics of one environment (the last, e.g. prod, unless the user
 * picks another) over a window, as tiles and charts. A window change keeps the previous answer
 * on screen until the new one arrives; only the first load shows progress.
 */
export function DeliveryMetricsSection(
  props: DeliveryMetricsState & {
    window: MetricsWindow;
    onWindowChange: (window: MetricsWindow) => void;
    /** What the metrics are computed over, under the heading. */
    subheader: string;
  },
) {
  const classes = useStyles();
  const { value, loading, error, onWindowChange, subheader } = props;
  const [chosen, setChosen] = useState<string>();
  const environments = value?.environments ?? [];
  const environment =
    environments.find(e => e.environment === chosen) ??
    environments[environments.length - 1];

  let content;
  if (loading && !value) {
    content = <Progress />;
  } else if (error) {
    content = (
      <ResponseErrorPanel
        error={error}
        title={error instanceof ResponseError ? error.cause.message : undefined}
      />
    );
  } else if (value && (nothingRecorded(value) || !environment)) {
    content = <EmptyDelivery days={Math.round(value.window.days)} />;
  } else if (value && environment) {
    content = <EnvironmentDelivery metrics={value} environment={environment} />;
  }

  return (
    <div
      role="region"
      aria-label="Delivery"
      aria-busy={loading}
      className={classes.section}
    >
      <InfoCard title="Delivery" subheader={subheader}>
        <div className={classes.pickers}>
          <LabelledSelect
            label="Window"
            ariaLabel="Delivery window"
            value={props.window}
            options={METRICS_WINDOWS}
            onChange={onWindowChange}
          />
          {environment && (
            <LabelledSelect
              label="Environment"
              ariaLabel="Delivery environment"
              value={environment.environment}
              options={environments.map(e => ({
                value: e.environment,
                label: e.environment,
              }))}
              onChange={setChosen}
            />
          )}
        </div>
        {content}
      </InfoCard>
    </div>
  );
}
