import { useApi } from '@backstage/core-plugin-api';
import {
  EnvironmentFreeze,
  EnvironmentStatus,
} from '@gitops-backstage/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { freezeSentence } from './policyFormat';

const useStyles = makeStyles(theme => ({
  banner: {
    borderLeft: `4px solid ${theme.palette.info.main}`,
    background: theme.palette.background.default,
    padding: theme.spacing(1, 2),
    marginBottom: theme.spacing(2),
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    flexWrap: 'wrap',
  },
}));

/** One freeze in the banner: its sentence and what may be done about it (lift). */
export interface FreezeLine {
  key: string;
  text: string;
  action?: ReactNode;
}

/** The freezes in force, one sentence each: a `status` named `Freeze`. */
export function FreezeBanner(props: { lines: FreezeLine[] }) {
  const classes = useStyles();
  if (props.lines.length === 0) return null;
  return (
    <div role="status" aria-label="Freeze" className={classes.banner}>
      {props.lines.map(line => (
        <div key={line.key} className={classes.line}>
          <Typography variant="body2">
            <span aria-hidden>❄ </span>
            {line.text}
          </Typography>
          {line.action}
        </div>
      ))}
    </div>
  );
}

/**
 * The freezes that cover an entity's environments, above its lanes: each environment's
 * `freeze` and the org-wide freezes of `GET /freezes` (read again when an environment's
 * freeze changes), environments under the same freeze in one sentence. A backend that cannot
 * list freezes leaves the environments' own.
 */
export function EntityFreezeBanner(props: {
  environments: EnvironmentStatus[];
}) {
  const { environments } = props;
  const api = useApi(gitopsApiRef);
  const key = JSON.stringify(environments.map(e => e.freeze ?? null));
  const { value } = useAsync(() => api.getFreezes(), [api, key]);
  const groups = new Map<
    string,
    { names: string[]; freeze: EnvironmentFreeze }
  >();
  for (const environment of environments) {
    const freeze =
      environment.freeze ??
      value?.items.find(
        f =>
          f.environments === '*' || f.environments.includes(environment.name),
      );
    if (!freeze) continue;
    const id = `${freeze.reason}|${freeze.until}|${freeze.by}`;
    const group = groups.get(id) ?? { names: [], freeze };
    group.names.push(environment.name);
    groups.set(id, group);
  }
  return (
    <FreezeBanner
      lines={[...groups].map(([id, { names, freeze }]) => ({
        key: id,
        text: freezeSentence(names, freeze),
      }))}
    />
  );
}
