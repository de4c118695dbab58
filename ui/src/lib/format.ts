/** A share from 0 to 1 as a whole percentage ("94%"); "unknown" when there is none. */
export function percent(share: number | null | undefined): string {
  return share === null || share === undefined ? "unknown" : `${Math.round(share * 100)}%`;
}
