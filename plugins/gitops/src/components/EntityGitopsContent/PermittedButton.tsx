import Button, { ButtonProps } from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import { domId } from '../../lib';
import { ChangePermission } from './useEnvironmentPermissions';

/**
 * A button for a change, disabled while the permission is checked or when it is denied, with
 * the reason on hover (a tooltip over a wrapper: a disabled button gets no mouse events) and
 * as the button's description for screen readers.
 */
export function PermittedButton(
  props: ButtonProps & { permission: ChangePermission },
) {
  const { permission, ...button } = props;
  if (permission.allowed) return <Button {...button} />;
  // Button labels name the change and the environment, so they are unique on a page.
  const reasonId = domId('gitops-reason', String(button['aria-label'] ?? ''));
  return (
    <Tooltip title={permission.reason ?? ''}>
      <span>
        <Button {...button} disabled aria-describedby={reasonId} />
        <span id={reasonId} hidden>
          {permission.reason}
        </span>
      </span>
    </Tooltip>
  );
}
