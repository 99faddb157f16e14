import { CompoundEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { VerificationRecord } from '@gitops-backstage/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { errorMessage, localTime, versionLabel } from '../Policy/policyFormat';
import { useLaneStyles } from './laneStyles';

/** `v1.0.3 · Failed · Sat 28 Nov 15:20 · 2 attempts · re-run by user:default/bob`. */
function describeRecord(record: VerificationRecord): string {
  const when = record.finishedAt ?? record.startedAt ?? record.at;
  return [
    versionLabel(record.version),
    record.state,
    localTime(when),
    record.attempts > 1 ? `${record.attempts} attempts` : undefined,
    record.requestedBy ? `re-run by ${record.requestedBy}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

function HistoryList(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  reloadKey: number;
}) {
  const { entityRef, environment, reloadKey } = props;
  const api = useApi(gitopsApiRef);
  const lane = useLaneStyles();
  const { value, loading, error } = useAsync(
    () => api.getVerifications(entityRef, environment),
    [api, entityRef, environment, reloadKey],
  );
  if (loading && !value) return <Progress />;
  if (error) return <ResponseErrorPanel error={error} />;
  if (!value?.items.length) {
    return (
      <Typography variant="caption" component="div">
        No verification has run in {environment} yet.
      </Typography>
    );
  }
  return (
    <ul
      className={lane.list}
      aria-label={`Verification history of ${environment}`}
    >
      {value.items.map(record => (
        <li key={`${versionLabel(record.version)} ${record.at}`}>
          <Typography variant="caption">{describeRecord(record)}</Typography>
        </li>
      ))}
    </ul>
  );
}

/**
 * An environment's verifications on demand (one per version, newest first), and a re-run of
 * the verification of the version it runs.
 */
export function VerificationHistory(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  onChanged: () => void;
}) {
  const { entityRef, environment, onChanged } = props;
  const api = useApi(gitopsApiRef);
  const lane = useLaneStyles();
  const [open, setOpen] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const [rerun, setRerun] = useState<{
    running?: boolean;
    done?: VerificationRecord;
    error?: Error;
  }>({});

  async function runAgain() {
    setRerun({ running: true });
    try {
      const record = await api.rerunVerification(entityRef, { environment });
      setRerun({ done: record });
      setReloadKey(key => key + 1);
      onChanged();
    } catch (error) {
      setRerun({ error: error as Error });
    }
  }

  return (
    <>
      <div className={lane.buttons}>
        <Button
          size="small"
          onClick={() => setOpen(!open)}
          aria-expanded={open}
          aria-label={`Verification history of ${environment}`}
        >
          {open ? 'Hide verification history' : 'Verification history'}
        </Button>
        <Button
          size="small"
          onClick={runAgain}
          disabled={rerun.running}
          aria-label={`Re-run verification of ${environment}`}
        >
          Re-run
        </Button>
      </div>
      {rerun.done && (
        <Typography variant="caption" component="div" role="status">
          {`Re-run asked: ${versionLabel(rerun.done.version)} is ${
            rerun.done.state
          }`}
        </Typography>
      )}
      {rerun.error && (
        <Typography
          variant="caption"
          component="div"
          color="error"
          role="alert"
        >
          {`Could not re-run the verification: ${errorMessage(rerun.error)}`}
        </Typography>
      )}
      {open && (
        <HistoryList
          entityRef={entityRef}
          environment={environment}
          reloadKey={reloadKey}
        />
      )}
    </>
  );
}
