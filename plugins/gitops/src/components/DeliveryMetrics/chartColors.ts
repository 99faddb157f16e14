/**
 * Series colours of the delivery charts: fixed (not the theme's) so a series keeps its colour
 * on every chart and theme; each series is also named in the legend and tooltip. From the
 * Okabe–Ito palette, told apart with every common colour-vision deficiency, and readable on
 * the light and the dark theme.
 */
export const SERIES_COLORS = {
  promotions: '#0072B2', // blue
  rollbacks: '#E69F00', // orange
  external: '#999999', // grey
  failed: '#D55E00', // vermillion
  leadTime: '#CC79A7', // reddish purple
  target: '#8C8C8C', // mid grey: dashed, on light and dark backgrounds
} as const;
