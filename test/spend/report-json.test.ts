// The spend report's JSON bytes are exactly JSON.stringify of LiteLLM's shape (contract §1.10),
// built here the plain way from the same rows.
import { describe, expect, test } from "bun:test";
import type { CustomerReportRow, TeamReportRow } from "../../src/db/store/spend.ts";
import { nanoToUsd } from "../../src/money.ts";
import { customerReportDays, reportResponse, teamIdsOf, teamReportDays } from "../../src/spend/report-json.ts";

const text = (days: [string, Uint8Array][]) => {
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return `[${days.map(([, json]) => decode(json)).join(",")}]`;
};
const K1 = "a".repeat(64);
const K2 = "b".repeat(64);

describe("team report JSON", () => {
  // Sorted by day, team, key, model as daily_spend's key gives them; rows 2 and 3 are one key ×
  // model seen under two users (or providers) and make one entry.
  const rows: TeamReportRow[] = [
    ["2031-03-10", "", K2, "gpt-4o-mini", 13_500, 30, 1],
    ["2031-03-10", "red", K1, "gpt-4o", 225_000, 30, 1],
    ["2031-03-10", "red", K1, "gpt-4o", 450_000, 60, 1],
    ["2031-03-10", "red", K1, "o3-mini", 1_000_000_000, 7, 1],
    ["2031-03-10", "x\"y", K2, "gpt-4o", 1, 1, 1],
    ["2031-03-11", "red", K1, "gpt-4o", 225_000, 30, 1],
  ];
  const aliases = new Map<string, string | null>([["red", "Red Team"], ['x"y', null]]);

  test("one entry per day and team; keys without a team are Unassigned; names fall back to the id", () => {
    const expected = [
      {
        group_by_day: "2031-03-10",
        teams: [
          { team_name: "Unassigned Team", team_id: null, total_spend: nanoToUsd(13_500), metadata: [{ model: "gpt-4o-mini", spend: nanoToUsd(13_500), api_key: K2, total_tokens: 30 }] },
          {
            team_name: "Red Team",
            team_id: "red",
            total_spend: nanoToUsd(1_000_675_000),
            metadata: [
              { model: "gpt-4o", spend: nanoToUsd(675_000), api_key: K1, total_tokens: 90 },
              { model: "o3-mini", spend: 1, api_key: K1, total_tokens: 7 },
            ],
          },
          { team_name: 'x"y', team_id: 'x"y', total_spend: 1e-9, metadata: [{ model: "gpt-4o", spend: 1e-9, api_key: K2, total_tokens: 1 }] },
        ],
      },
      {
        group_by_day: "2031-03-11",
        teams: [{ team_name: "Red Team", team_id: "red", total_spend: nanoToUsd(225_000), metadata: [{ model: "gpt-4o", spend: nanoToUsd(225_000), api_key: K1, total_tokens: 30 }] }],
      },
    ];
    expect(text(teamReportDays(rows, aliases))).toBe(JSON.stringify(expected));
  });

  test("the team ids to name, without the empty one; no rows is an empty list", () => {
    expect(teamIdsOf(rows)).toEqual(["red", 'x"y']);
    expect(teamReportDays([], new Map())).toEqual([]);
  });
});

describe("customer report JSON", () => {
  test("one entry per day and customer, one metadata entry per model group", () => {
    const rows: CustomerReportRow[] = [
      ["2031-03-10", "c1", "gpt-4o", 225_000, 30, 1],
      ["2031-03-10", "c1", "gpt-4o-mini", 13_500, 30, 1],
      ["2031-03-10", "ünï", "gpt-4o", 999, 3, 1],
      ["2031-03-11", "c1", "gpt-4o", 2_000_000_000_000_000, 123_456_789_012, 1],
    ];
    const expected = [
      {
        group_by_day: "2031-03-10",
        customers: [
          {
            customer: "c1",
            total_spend: nanoToUsd(238_500),
            metadata: [
              { model: "gpt-4o", spend: nanoToUsd(225_000), total_tokens: 30 },
              { model: "gpt-4o-mini", spend: nanoToUsd(13_500), total_tokens: 30 },
            ],
          },
          { customer: "ünï", total_spend: nanoToUsd(999), metadata: [{ model: "gpt-4o", spend: nanoToUsd(999), total_tokens: 3 }] },
        ],
      },
      {
        group_by_day: "2031-03-11",
        customers: [{ customer: "c1", total_spend: 2_000_000, metadata: [{ model: "gpt-4o", spend: 2_000_000, total_tokens: 123_456_789_012 }] }],
      },
    ];
    const days = customerReportDays(rows);
    expect(days.map(([day]) => day)).toEqual(["2031-03-10", "2031-03-11"]);
    expect(text(days)).toBe(JSON.stringify(expected));
    expect(customerReportDays([])).toEqual([]);
  });
});

describe("the report array", () => {
  test("days joined into one application/json array; no days is []", async () => {
    const enc = new TextEncoder();
    const res = reportResponse([enc.encode('{"a":1}'), enc.encode('{"b":2}')]);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe('[{"a":1},{"b":2}]');
    expect(await reportResponse([]).text()).toBe("[]");
  });
});
