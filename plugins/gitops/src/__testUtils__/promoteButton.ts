/**
 * The accessible name of the promote control between two lanes: "Promote v1.0.5 from dev to
 * staging", or "Promote dev to staging" when the source names no version.
 */
export function promoteButton(from: string, to: string): RegExp {
  return new RegExp(`^Promote (.+ from )?${from} to ${to}$`);
}
