import { GatewayError } from "./errors.ts";

// Money is an integer count of nano-USD inside Tollgate (1 USD = 1e9 nano-USD): sums of many
// per-token costs stay exact. Floats exist only at the API edge.
export const NANO_PER_USD = 1_000_000_000;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

// The largest amount a money field accepts: keeps nano-USD sums far below 2^53.
export const MAX_USD = 9_000_000;

/** A money field from a request, checked (finite, not negative, not absurd) and converted. */
export function usdFieldToNano(field: string, usd: number): number {
  if (!Number.isFinite(usd)) throw GatewayError.badRequest(`${field} must be a finite number. Received: ${usd}`, field);
  if (usd < 0) throw GatewayError.badRequest(`${field} cannot be negative. Received: ${usd}`, field);
  if (usd > MAX_USD) throw GatewayError.badRequest(`${field} cannot be more than ${MAX_USD} USD. Received: ${usd}`, field);
  return usdToNano(usd);
}

/** The same for a field that may be absent (undefined) or cleared (null). */
export const usdFieldToNanoOrNull = (field: string, usd: number | null | undefined) =>
  usd === undefined || usd === null ? (usd as null | undefined) : usdFieldToNano(field, usd);

export const usdToNanoOrNull = (usd: number | null | undefined) => (usd === null || usd === undefined ? null : usdToNano(usd));
export const nanoToUsdOrNull = (nano: number | null | undefined) => (nano === null || nano === undefined ? null : nanoToUsd(nano));
