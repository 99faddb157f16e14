import { VersionEvidence } from '@gitops-backstage/plugin-gitops-common';
import ButtonBase from '@material-ui/core/ButtonBase';
import { SvgIconProps } from '@material-ui/core/SvgIcon';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import { ComponentType, Fragment } from 'react';
import {
  EvidencePart,
  EvidencePartKey,
  evidenceParts,
  notCheckedYet,
} from './evidenceFormat';
import {
  BugIcon,
  BuildIcon,
  ErrorIcon,
  LockIcon,
  PendingIcon,
  PolicyIcon,
  ShieldIcon,
  SignedIcon,
  WarningIcon,
} from './EvidenceIcons';
import { statusTextColors } from '../statusTextColors';

export const useToneStyles = makeStyles(theme => ({
  ok: { color: theme.palette.text.primary },
  neutral: { color: theme.palette.text.secondary },
  warning: { color: statusTextColors(theme).wait },
  error: { color: statusTextColors(theme).fail },
}));

const useStyles = makeStyles(theme => ({
  line: {
    display: 'inline-flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'flex-start',
    textAlign: 'left',
    gap: theme.spacing(0.5),
    padding: theme.spacing(0.25, 0.5),
    margin: theme.spacing(0, -0.5),
    borderRadius: theme.shape.borderRadius,
    fontSize: theme.typography.body2.fontSize,
    fontFamily: theme.typography.fontFamily,
    lineHeight: theme.typography.body2.lineHeight,
    // Within its lane however narrow: the negative margins give back the padding.
    maxWidth: `calc(100% + ${theme.spacing(1)}px)`,
    '&:hover': { backgroundColor: theme.palette.action.hover },
  },
  focusVisible: {
    outline: `2px solid ${theme.palette.primary.main}`,
    outlineOffset: 1,
  },
  // A part wraps inside itself only when it alone is wider than the lane.
  part: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
    minWidth: 0,
    overflowWrap: 'anywhere',
  },
  icon: { fontSize: '1.1em' },
  separator: { color: theme.palette.text.secondary },
}));

const PART_ICONS: Record<
  Exclude<EvidencePartKey, 'signature'>,
  ComponentType<SvgIconProps>
> = {
  vulnerabilities: BugIcon,
  policies: PolicyIcon,
  provenance: BuildIcon,
  podSecurity: LockIcon,
};

/** The icon of a part: the signature's says its state. */
function partIcon(
  part: EvidencePart,
  evidence: VersionEvidence,
): ComponentType<SvgIconProps> {
  if (part.key !== 'signature') return PART_ICONS[part.key];
  switch (evidence.signature.state) {
    case 'verified':
      return SignedIcon;
    case 'unsigned':
      return WarningIcon;
    case 'invalid':
      return ErrorIcon;
    default:
      return notCheckedYet(evidence.signature.reason)
        ? PendingIcon
        : ShieldIcon;
  }
}

function Part(props: { part: EvidencePart; evidence: VersionEvidence }) {
  const { part, evidence } = props;
  const classes = useStyles();
  const tones = useToneStyles();
  const Icon = partIcon(part, evidence);
  const content = (
    <span
      className={`${classes.part} ${tones[part.tone]}`}
      data-testid={`evidence-${part.key}`}
      data-tone={part.tone}
    >
      <Icon className={classes.icon} />
      {part.text}
    </span>
  );
  if (!part.tooltip) return content;
  return (
    <Tooltip title={part.tooltip} arrow>
      {content}
    </Tooltip>
  );
}

/**
 * A version's supply-chain evidence in one line — `signed by acme/guestbook release.yml ·
 * 0 critical, 3 high · policies 12/12 · built from acme/payments@4f3a2c1 · restricted` — each
 * part an icon and text coloured by what it means, more on hover. A button: it opens (or
 * expands) the details.
 */
export function EvidenceLine(props: {
  evidence: VersionEvidence;
  onOpen: () => void;
  /** Whether the details are shown in place (`aria-expanded`); unset for a dialog. */
  expanded?: boolean;
}) {
  const { evidence, onOpen, expanded } = props;
  const classes = useStyles();
  const parts = evidenceParts(evidence);
  return (
    <ButtonBase
      className={classes.line}
      focusVisibleClassName={classes.focusVisible}
      onClick={onOpen}
      data-testid="evidence-line"
      aria-expanded={expanded}
      aria-haspopup={expanded === undefined ? 'dialog' : undefined}
      title="Supply-chain evidence: show the details"
    >
      {parts.map((part, index) => (
        <Fragment key={part.key}>
          {index > 0 && <span className={classes.separator}>{' · '}</span>}
          <Part part={part} evidence={evidence} />
        </Fragment>
      ))}
    </ButtonBase>
  );
}
