import { CompoundEntityRef } from '@backstage/catalog-model';
import { PermittedButton } from './PermittedButton';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

/**
 * The arrow between two lanes that promotes from one to the next; offered only to a user who
 * may promote to the target environment.
 */
export function PromoteArrow(props: {
  entityRef: CompoundEntityRef;
  from: string;
  to: string;
  onClick: () => void;
}) {
  const { entityRef, from, to, onClick } = props;
  const permission = useEnvironmentPermissions(entityRef, to).promote;
  return (
    <PermittedButton
      permission={permission}
      color="primary"
      variant="outlined"
      size="small"
      aria-label={`Promote ${from} to ${to}`}
      title={permission.allowed ? `Promote ${from} → ${to}` : undefined}
      onClick={onClick}
    >
      →
    </PermittedButton>
  );
}
