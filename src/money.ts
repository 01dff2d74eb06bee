// Money is an integer count of nano-USD inside Tollgate (1 USD = 1e9 nano-USD): sums of many
// per-token costs stay exact. Floats exist only at the API edge.
export const NANO_PER_USD = 1_000_000_000;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

export const usdToNanoOrNull = (usd: number | null | undefined) => (usd === null || usd === undefined ? null : usdToNano(usd));
export const nanoToUsdOrNull = (nano: number | null | undefined) => (nano === null || nano === undefined ? null : nanoToUsd(nano));
