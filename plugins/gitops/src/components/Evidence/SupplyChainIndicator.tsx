import { OverviewEnvironment } from '@gitops-backstage/plugin-gitops-common';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import {
  ErrorIcon,
  ShieldIcon,
  SignedIcon,
  WarningIcon,
} from './EvidenceIcons';
import { FAIL_CHIP_BACKGROUND } from '../statusTextColors';

const useStyles = makeStyles(theme => ({
  indicator: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.25),
    marginLeft: theme.spacing(1),
    verticalAlign: 'middle',
  },
  icon: { fontSize: '1rem' },
  verified: { color: theme.palette.success.main },
  unsigned: { color: theme.palette.warning.main },
  invalid: { color: theme.palette.error.main },
  unknown: { color: theme.palette.text.disabled },
  badge: {
    fontSize: theme.typography.caption.fontSize,
    fontWeight: 500,
    padding: theme.spacing(0, 0.5),
    borderRadius: theme.shape.borderRadius,
  },
  critical: {
    backgroundColor: FAIL_CHIP_BACKGROUND,
    color: theme.palette.error.contrastText,
  },
  high: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
}));

type SupplyChain = NonNullable<OverviewEnvironment['supplyChain']>;

const SIGNATURE_WORDS: Record<SupplyChain['signature'], string> = {
  verified: 'signed',
  unsigned: 'unsigned',
  invalid: 'invalid signature',
  unknown: 'signature unknown',
};

const SIGNATURE_ICONS = {
  verified: SignedIcon,
  unsigned: WarningIcon,
  invalid: ErrorIcon,
  unknown: ShieldIcon,
};

/** `unsigned, 1 critical, 3 high`: what the fleet cell's indicator says. */
export function supplyChainSummary(supplyChain: SupplyChain): string {
  const parts = [SIGNATURE_WORDS[supplyChain.signature]];
  if ((supplyChain.critical ?? 0) > 0) {
    parts.push(`${supplyChain.critical} critical`);
  }
  if ((supplyChain.high ?? 0) > 0) parts.push(`${supplyChain.high} high`);
  return parts.join(', ');
}

/** Whether the fleet's `insecure` filter would show it: unsigned, invalid, critical or high. */
export function isInsecure(supplyChain: SupplyChain): boolean {
  return (
    supplyChain.signature === 'unsigned' ||
    supplyChain.signature === 'invalid' ||
    (supplyChain.critical ?? 0) > 0 ||
    (supplyChain.high ?? 0) > 0
  );
}

/**
 * A small shield in a fleet cell: the running version's signature state (warning when
 * unsigned, error when invalid) and its critical and high vulnerabilities when there are
 * any; the words in the tooltip and the accessible name. Nothing before evidence was read.
 */
export function SupplyChainIndicator(props: {
  environment: string;
  supplyChain?: OverviewEnvironment['supplyChain'];
}) {
  const { environment, supplyChain } = props;
  const classes = useStyles();
  if (!supplyChain) return null;
  const Icon = SIGNATURE_ICONS[supplyChain.signature];
  const summary = supplyChainSummary(supplyChain);
  const critical = supplyChain.critical ?? 0;
  const high = supplyChain.high ?? 0;
  return (
    <Tooltip title={`Supply chain: ${summary}`}>
      <span
        className={classes.indicator}
        data-testid={`fleet-supply-chain-${environment}`}
        data-insecure={isInsecure(supplyChain)}
        role="img"
        aria-label={`Supply chain: ${summary}`}
      >
        <Icon className={`${classes.icon} ${classes[supplyChain.signature]}`} />
        {critical > 0 && (
          <span className={`${classes.badge} ${classes.critical}`}>
            {`${critical}C`}
          </span>
        )}
        {high > 0 && (
          <span
            className={`${classes.badge} ${classes.high}`}
          >{`${high}H`}</span>
        )}
      </span>
    </Tooltip>
  );
}
