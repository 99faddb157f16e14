import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles({
  select: { minWidth: 160 },
});

/**
 * A labelled drop-down of a few choices (environments, windows). `ariaLabel` names the button
 * that opens it, so two selects with the same label in one page stay apart.
 */
export function LabelledSelect<T extends string>(props: {
  label: string;
  ariaLabel: string;
  value: T;
  options: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
}) {
  const classes = useStyles();
  const { label, ariaLabel, value, options, onChange } = props;
  return (
    <TextField
      select
      label={label}
      value={value}
      onChange={e => onChange(e.target.value as T)}
      className={classes.select}
      SelectProps={{
        SelectDisplayProps: { 'aria-label': ariaLabel } as any,
      }}
    >
      {options.map(option => (
        <MenuItem key={option.value} value={option.value}>
          {option.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
