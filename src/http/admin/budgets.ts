// Budget tiers (contract §1.8): /budget/new|update|info|list|delete. A tier's limits are copied onto
// the end users attached to it (customers.ts), and /budget/update keeps them in step.
import { Elysia, t } from "elysia";
import type { AppDeps } from "../../deps.ts";
import { type BudgetRow, deleteBudget, findBudgets, insertBudget, listBudgets, type NewBudgetRow, updateBudget } from "../../db/store/budgets.ts";
import { applyBudgetToEndUsers, type EndUserPatch } from "../../db/store/customers.ts";
import { GatewayError } from "../../errors.ts";
import { nanoToUsdOrNull, usdToNanoOrNull } from "../../money.ts";
import { budgetPeriodColumns } from "../../spend/budget-period.ts";
import { authGuard } from "../auth-guard.ts";
import { callerOf } from "./users.ts";

const Nullable = <T extends import("@sinclair/typebox").TSchema>(s: T) => t.Union([s, t.Null()]);
const money = (name: string) => t.Optional(Nullable(t.Number({ minimum: 0, error: `${name} must be a non-negative number` })));
const BudgetFields = {
  max_budget: money("max_budget"),
  soft_budget: money("soft_budget"),
  max_parallel_requests: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: 2_147_483_647 }))),
  tpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  rpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  budget_duration: t.Optional(Nullable(t.String())),
  model_max_budget: t.Optional(Nullable(t.Record(t.String(), t.Unknown()))),
};
const BudgetNewBody = t.Object({ budget_id: t.Optional(t.String({ minLength: 1 })), ...BudgetFields });
const BudgetUpdateBody = t.Object({ budget_id: t.String({ minLength: 1, error: "budget_id is required" }), ...BudgetFields });
const BudgetInfoBody = t.Object({ budgets: t.Array(t.String(), { minItems: 1, error: "budgets must be a non-empty list of budget ids" }) });
const BudgetDeleteBody = t.Object({ id: t.String({ minLength: 1, error: "id is required" }) });
type Fields = Partial<typeof BudgetNewBody.static>;

const doc = (summary: string) => ({ detail: { tags: ["budgets"], summary } });

export function toBudgetJson(b: BudgetRow) {
  return {
    budget_id: b.budgetId,
    max_budget: nanoToUsdOrNull(b.maxBudgetNano),
    soft_budget: nanoToUsdOrNull(b.softBudgetNano),
    max_parallel_requests: b.maxParallelRequests,
    tpm_limit: b.tpmLimit,
    rpm_limit: b.rpmLimit,
    budget_duration: b.budgetDuration,
    budget_reset_at: b.budgetResetAt?.toISOString() ?? null,
    model_max_budget: b.modelMaxBudget,
    created_at: b.createdAt.toISOString(),
    created_by: b.createdBy,
    updated_at: b.updatedAt.toISOString(),
    updated_by: b.updatedBy,
  };
}

function toRow(f: Fields, nowMs: number, timeZone: string | undefined): Partial<NewBudgetRow> {
  const r: Partial<NewBudgetRow> = {};
  if (f.max_budget !== undefined) r.maxBudgetNano = usdToNanoOrNull(f.max_budget);
  if (f.soft_budget !== undefined) r.softBudgetNano = usdToNanoOrNull(f.soft_budget);
  if (f.max_parallel_requests !== undefined) r.maxParallelRequests = f.max_parallel_requests;
  if (f.tpm_limit !== undefined) r.tpmLimit = f.tpm_limit;
  if (f.rpm_limit !== undefined) r.rpmLimit = f.rpm_limit;
  if (f.model_max_budget !== undefined) r.modelMaxBudget = f.model_max_budget as NewBudgetRow["modelMaxBudget"];
  if (f.budget_duration !== undefined) Object.assign(r, budgetPeriodColumns(f.budget_duration, nowMs, timeZone));
  return r;
}

/** The end-user columns a tier change rewrites (spend is the end user's own and stays). */
function endUserPatchOf(r: Partial<NewBudgetRow>): EndUserPatch {
  const p: EndUserPatch = {};
  if (r.maxBudgetNano !== undefined) p.maxBudgetNano = r.maxBudgetNano;
  if (r.softBudgetNano !== undefined) p.softBudgetNano = r.softBudgetNano;
  if (r.tpmLimit !== undefined) p.tpmLimit = r.tpmLimit;
  if (r.rpmLimit !== undefined) p.rpmLimit = r.rpmLimit;
  if (r.budgetDuration !== undefined) Object.assign(p, { budgetDuration: r.budgetDuration, budgetResetAt: r.budgetResetAt });
  return p;
}

export function budgetRoutes(deps: AppDeps) {
  const s = deps.store;
  const requireAdmin = (role: string) => {
    if (role !== "proxy_admin") throw GatewayError.forbidden("Only proxy admins can manage budgets.");
  };
  return new Elysia({ name: "admin-budgets" })
    .use(authGuard(deps))
    .post("/budget/new", async ({ principal, body }) => {
      requireAdmin(principal.role);
      const budgetId = body.budget_id ?? crypto.randomUUID();
      const by = callerOf(principal).userId;
      const row = await insertBudget(s, { budgetId, ...toRow(body, deps.now(), deps.config.litellm.timezone), createdBy: by, updatedBy: by });
      if (!row) throw GatewayError.badRequest(`Budget with id '${budgetId}' already exists.`, "budget_id");
      return toBudgetJson(row);
    }, { body: BudgetNewBody, ...doc("Create a budget tier (max_budget, soft_budget, rpm/tpm, budget_duration)") })
    .post("/budget/update", async ({ principal, body }) => {
      requireAdmin(principal.role);
      const patch = toRow(body, deps.now(), deps.config.litellm.timezone);
      const row = await updateBudget(s, body.budget_id, { ...patch, updatedBy: callerOf(principal).userId });
      if (!row) throw GatewayError.notFound(`Budget with id '${body.budget_id}' not found.`, "budget_id");
      const endUsers = await applyBudgetToEndUsers(s, body.budget_id, endUserPatchOf(patch));
      for (const id of endUsers) {
        deps.endUsers?.invalidate(id);
        deps.spend?.book.invalidate({ scope: "end_user", id });
      }
      return toBudgetJson(row);
    }, { body: BudgetUpdateBody, ...doc("Change a tier; the end users on it get the new limits at once") })
    .post("/budget/info", async ({ body }) => (await findBudgets(s, body.budgets)).map(toBudgetJson), {
      body: BudgetInfoBody,
      ...doc("Tiers by id: {\"budgets\": [ids]}"),
    })
    .get("/budget/list", async ({ principal }) => {
      requireAdmin(principal.role);
      return (await listBudgets(s)).map(toBudgetJson);
    }, doc("Every budget tier (admin only)"))
    .post("/budget/delete", async ({ principal, body }) => {
      requireAdmin(principal.role);
      if (!(await deleteBudget(s, body.id))) throw GatewayError.notFound(`Budget with id '${body.id}' not found.`, "id");
      return { budget_id: body.id, deleted: true };
    }, { body: BudgetDeleteBody, ...doc("Delete a tier (end users keep the limits copied from it)") });
}
