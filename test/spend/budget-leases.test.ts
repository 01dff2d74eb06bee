// The lease grant as a pure function of what is left of a budget (src/spend/budget-leases.ts).
import { expect, test } from "bun:test";
import { grantOf } from "../../src/spend/budget-leases.ts";

const req = { needNano: 100, wantNano: 500, freeNano: 0, creditNano: 0, blocksAtEqual: true };

test.each([
  ["room for the whole want", 1_000, req, 500],
  ["room for the call but not the want: takes what is left", 300, req, 300],
  ["less than the call needs, budget not used up: the crossing call passes once", 40, req, 100],
  ["used up exactly (keys block at spend == max)", 0, req, 0],
  ["used up exactly (teams pass at spend == max)", 0, { ...req, blocksAtEqual: false }, 100],
  ["overspent", -10, { ...req, blocksAtEqual: false }, 0],
  ["overspent, but this instance's own free slack makes up for it", -10, { ...req, freeNano: 30 }, 100],
  ["handing slack back asks for nothing", 1_000, { ...req, needNano: 0, wantNano: 0 }, 0],
] as const)("%s", (_name, available, r, granted) => {
  expect(grantOf(available, r)).toBe(granted);
});
