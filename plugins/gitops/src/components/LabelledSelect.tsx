import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import { domId } from '../lib';

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
  // Named "<ariaLabel> <chosen value>": the name holds the text the button shows, as voice
  // control and WCAG 2.5.3 ask, and still tells two selects with one label apart.
  const id = domId('gitops-select', ariaLabel);
  return (
    <>
      <span id={`${id}-name`} hidden>
        {ariaLabel}
      </span>
      <TextField
        select
        label={label}
        value={value}
        onChange={e => onChange(e.target.value as T)}
        className={classes.select}
        SelectProps={{
          SelectDisplayProps: {
            id: `${id}-button`,
            'aria-labelledby': `${id}-name ${id}-button`,
          } as any,
        }}
      >
        {options.map(option => (
          <MenuItem key={option.value} value={option.value}>
            {option.label}
          </MenuItem>
        ))}
      </TextField>
    </>
  );
}
