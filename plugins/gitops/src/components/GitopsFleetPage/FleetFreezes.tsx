import { useApi } from '@backstage/core-plugin-api';
import { GitopsFreeze } from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { gitopsApiRef } from '../../api';
import {
  REFRESH_MS,
  useRefreshWhileVisible,
} from '../EntityGitopsContent/EntityGitopsContent';
import { PermittedButton } from '../EntityGitopsContent/PermittedButton';
import { useFreezeManagePermission } from '../EntityGitopsContent/useEnvironmentPermissions';
import { FreezeBanner } from '../Policy/FreezeBanner';
import { errorMessage, freezeSentence } from '../Policy/policyFormat';
import { DeclareFreezeDialog, LiftFreezeDialog } from './FreezeDialog';

const useStyles = makeStyles(theme => ({
  actions: {
    display: 'flex',
    justifyContent: 'flex-end',
    marginBottom: theme.spacing(1),
  },
}));

/**
 * The freezes in force over the fleet, each with a Lift button, and Declare a freeze: both
 * for users with `gitops.freeze.manage`, disabled with the reason for the others.
 */
export function FleetFreezes() {
  const api = useApi(gitopsApiRef);
  const classes = useStyles();
  const permission = useFreezeManagePermission();
  const { value, error, retry } = useAsyncRetry(() => api.getFreezes(), [api]);
  useRefreshWhileVisible(retry, REFRESH_MS);
  const [declaring, setDeclaring] = useState(false);
  const [lifting, setLifting] = useState<GitopsFreeze>();
  return (
    <>
      <FreezeBanner
        lines={(value?.items ?? []).map(freeze => ({
          key: freeze.id,
          text: freezeSentence(freeze.environments, freeze),
          action: (
            <PermittedButton
              permission={permission}
              size="small"
              onClick={() => setLifting(freeze)}
              aria-label={`Lift the freeze: ${freeze.reason}`}
            >
              Lift
            </PermittedButton>
          ),
        }))}
      />
      {error && (
        <Typography variant="caption" component="div" color="error">
          {`Freezes could not be read: ${errorMessage(error)}`}
        </Typography>
      )}
      <div className={classes.actions}>
        <PermittedButton
          permission={permission}
          size="small"
          variant="outlined"
          onClick={() => setDeclaring(true)}
          aria-label="Declare a freeze"
        >
          Declare a freeze
        </PermittedButton>
      </div>
      {declaring && (
        <DeclareFreezeDialog
          onClose={() => setDeclaring(false)}
          onDone={() => {
            setDeclaring(false);
            retry();
          }}
        />
      )}
      {lifting && (
        <LiftFreezeDialog
          freeze={lifting}
          onClose={() => setLifting(undefined)}
          onDone={() => {
            setLifting(undefined);
            retry();
          }}
        />
      )}
    </>
  );
}
