import { Theme } from '@material-ui/core/styles';

/**
 * Text colours of failed, waiting and passed states that keep WCAG AA contrast (4.5:1) on the
 * theme's paper, light or dark: the palette's `error.main` and `warning.dark` are 3.7:1 and
 * 2.7:1 on white.
 */
export function statusTextColors(theme: Theme) {
  const dark = theme.palette.type === 'dark';
  return {
    fail: dark ? '#ff9e99' : '#c62828',
    wait: dark ? '#ffcc80' : '#8a4b00',
    ok: dark ? '#a5d6a7' : '#2e7d32',
  };
}

/** The background of a failed-state chip under white text: 5.6:1, on either theme. */
export const FAIL_CHIP_BACKGROUND = '#c62828';
