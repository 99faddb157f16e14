import { CompoundEntityRef } from '@backstage/catalog-model';
import { EnvironmentStatus } from '@gitops-backstage/plugin-gitops-common';
import { PermittedButton } from './PermittedButton';
import { promoteControl } from './promoteControl';
import { useEnvironmentPermissions } from './useEnvironmentPermissions';

/**
 * The control between two lanes that promotes the version of one to the next ("Promote v1.0.5
 * →"); off, with the reason on hover, for a user who may not promote to the target environment
 * and when there is nothing to promote.
 */
export function PromoteArrow(props: {
  entityRef: CompoundEntityRef;
  from: EnvironmentStatus;
  to: EnvironmentStatus;
  onClick: () => void;
}) {
  const { entityRef, from, to, onClick } = props;
  const permission = useEnvironmentPermissions(entityRef, to.name).promote;
  const control = promoteControl(from, to);
  const offered =
    permission.allowed && control.nothingToPromote
      ? {
          allowed: false,
          loading: false,
          reason: control.nothingToPromote,
        }
      : permission;
  return (
    <PermittedButton
      permission={offered}
      color="primary"
      variant="outlined"
      size="small"
      aria-label={control.ariaLabel}
      title={offered.allowed ? `Promote ${from.name} → ${to.name}` : undefined}
      onClick={onClick}
    >
      {control.label}
    </PermittedButton>
  );
}
