import {
  PromotionGate,
  VersionEvidence,
} from '@gitops-backstage/plugin-gitops-common';
import Collapse from '@material-ui/core/Collapse';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useState } from 'react';
import { GateChecklist } from '../Policy/GateChecklist';
import { EvidenceDetails } from './EvidenceDetails';
import { EvidenceLine } from './EvidenceLine';
import { SUPPLY_CHAIN_GATES } from './evidenceFormat';

const useStyles = makeStyles(theme => ({
  section: { margin: theme.spacing(2, 0) },
  details: {
    marginTop: theme.spacing(1),
    paddingLeft: theme.spacing(2),
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
}));

/** The gates of the policy that judge the supply chain, and the others. */
export function splitSupplyChainGates(gates: PromotionGate[]): {
  supplyChain: PromotionGate[];
  other: PromotionGate[];
} {
  return {
    supplyChain: gates.filter(g => SUPPLY_CHAIN_GATES.has(g.name)),
    other: gates.filter(g => !SUPPLY_CHAIN_GATES.has(g.name)),
  };
}

/**
 * The supply chain of the version a change would write, before anything is written: its
 * evidence line (the details expand in place) and the gates that judge it. Nothing when the
 * answer has neither (a scale, or a backend without evidence).
 */
export function SupplyChainSection(props: {
  /** `undefined`: the answer has no evidence field; `null`: none read for this version. */
  evidence: VersionEvidence | null | undefined;
  /** The supply-chain gates of the change. */
  gates: PromotionGate[];
  /** What the version is called, for "no evidence" (`demo-flask-app 9f8e7d6-42`). */
  version?: string;
}) {
  const { evidence, gates, version } = props;
  const classes = useStyles();
  const [expanded, setExpanded] = useState(false);
  if (evidence === undefined && gates.length === 0) return null;
  return (
    <section
      aria-label="Supply chain"
      className={classes.section}
      data-testid="promote-supply-chain"
    >
      <Typography variant="subtitle2">Supply chain</Typography>
      {evidence ? (
        <>
          <EvidenceLine
            evidence={evidence}
            expanded={expanded}
            onOpen={() => setExpanded(e => !e)}
          />
          <Collapse in={expanded} unmountOnExit>
            <div className={classes.details}>
              <EvidenceDetails evidence={evidence} />
            </div>
          </Collapse>
        </>
      ) : (
        <Typography variant="body2" color="textSecondary">
          {`No supply-chain evidence was read for ${
            version ?? 'this version'
          } yet.`}
        </Typography>
      )}
      {gates.length > 0 && (
        <GateChecklist gates={gates} label="Supply-chain gates" />
      )}
    </section>
  );
}
