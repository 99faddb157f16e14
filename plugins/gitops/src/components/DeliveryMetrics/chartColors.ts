/**
 * Series colours of the delivery charts: fixed (not the theme's) so a series keeps its colour
 * on every chart and theme; each series is also named in the legend and tooltip.
 */
export const SERIES_COLORS = {
  promotions: '#1e88e5',
  rollbacks: '#ef6c00',
  external: '#78909c',
  failed: '#c62828',
  leadTime: '#6a1b9a',
  target: '#616161',
} as const;
