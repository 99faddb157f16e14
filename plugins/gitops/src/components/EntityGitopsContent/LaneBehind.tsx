import { CompoundEntityRef } from '@backstage/catalog-model';
import Button from '@material-ui/core/Button';
import { useState } from 'react';
import { WhatWillShip } from '../Changes/WhatWillShip';

/**
 * What an environment is behind the one before it by, in commits and pull requests of the
 * service's source: asked for on demand, since it reads the registry and the source's Git host.
 */
export function LaneBehind(props: {
  entityRef: CompoundEntityRef;
  environment: string;
  before: string;
}) {
  const { entityRef, environment, before } = props;
  const [open, setOpen] = useState(false);
  return (
    <section aria-label={`What ${environment} is behind ${before} by`}>
      <Button size="small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Hide commits' : `Commits ${before} has`}
      </Button>
      {open && <WhatWillShip entityRef={entityRef} environment={environment} />}
    </section>
  );
}
