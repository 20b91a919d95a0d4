// Small statistics helpers.

/** The p-quantile (0..1) of sorted numbers, by the nearest-rank method; null if empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(p * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The median of numbers (mean of the middle two for an even count); null if empty. */
export function median(values) {
  const sorted = values.filter((value) => value !== null && Number.isFinite(value));
  sorted.sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
