import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ReactNode } from 'react';
import { FAIL_CHIP_BACKGROUND, statusTextColors } from '../statusTextColors';

/* The building blocks of the evidence details: styles, a section, an empty line, facts. */

export const useEvidenceStyles = makeStyles(theme => ({
  details: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
    overflowWrap: 'anywhere',
  },
  section: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(0.5),
  },
  heading: { display: 'flex', alignItems: 'center', gap: theme.spacing(1) },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.25),
    margin: 0,
    fontSize: theme.typography.body2.fontSize,
    '& dt': { color: theme.palette.text.secondary },
    '& dd': { margin: 0 },
  },
  pair: { display: 'contents' },
  chips: { display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) },
  list: { margin: 0, paddingLeft: theme.spacing(2.5) },
  table: { '& td, & th': { padding: theme.spacing(0.5, 1) } },
  good: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.success.contrastText,
  },
  bad: {
    backgroundColor: FAIL_CHIP_BACKGROUND,
    color: theme.palette.error.contrastText,
  },
  poor: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.warning.contrastText,
  },
  plain: {},
  error: { color: statusTextColors(theme).fail },
  warning: { color: statusTextColors(theme).wait },
}));

export type ChipTone = 'good' | 'bad' | 'poor' | 'plain';

export function Section(props: {
  name: string;
  title: string;
  status?: ReactNode;
  children: ReactNode;
}) {
  const classes = useEvidenceStyles();
  return (
    <section
      aria-label={props.title}
      className={classes.section}
      data-testid={`evidence-details-${props.name}`}
    >
      <div className={classes.heading}>
        <Typography variant="subtitle2" component="h3">
          {props.title}
        </Typography>
        {props.status}
      </div>
      {props.children}
    </section>
  );
}

/** Nothing of a kind was found: one line in the secondary colour. */
export function Empty(props: { children: ReactNode }) {
  return (
    <Typography variant="body2" color="textSecondary">
      {props.children}
    </Typography>
  );
}

export function StateChip(props: { label: string; tone: ChipTone }) {
  const classes = useEvidenceStyles();
  return (
    <Chip size="small" label={props.label} className={classes[props.tone]} />
  );
}

/** Label–value rows; rows without a value are left out. */
export function Facts(props: {
  label: string;
  rows: Array<[string, ReactNode]>;
}) {
  const classes = useEvidenceStyles();
  const rows = props.rows.filter(
    ([, value]) => value !== null && value !== undefined && value !== '',
  );
  if (rows.length === 0) return null;
  return (
    <dl className={classes.facts} aria-label={props.label}>
      {rows.map(([label, value]) => (
        <div key={label} className={classes.pair}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
