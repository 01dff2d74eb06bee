// Customers / end users (contract §1.7): /customer/* and the /end_user/* aliases. An end user is the
// `user` of an LLM request; these routes set their budget (own or a /budget tier), rpm/tpm and block,
// and show their daily spend (from the daily_end_user_spend rollup).
import { Elysia, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import type { AppDeps } from "../../deps.ts";
import { findBudgets } from "../../db/store/budgets.ts";
import {
  deleteEndUsers,
  type EndUserPatch,
  type EndUserRow,
  findEndUser,
  insertEndUser,
  listEndUsers,
  setEndUsersBlocked,
  updateEndUser,
} from "../../db/store/customers.ts";
import { sumDailyEndUserSpend } from "../../db/store/spend.ts";
import { GatewayError } from "../../errors.ts";
import { nanoToUsd, nanoToUsdOrNull, usdToNano, usdToNanoOrNull } from "../../money.ts";
import { canReadAll } from "../../policy/roles.ts";
import { budgetPeriodColumns } from "../../spend/budget-period.ts";
import { parseDateParam, toDailyActivity } from "../../spend/spend-views.ts";
import { authGuard } from "../auth-guard.ts";

const Nullable = <T extends import("@sinclair/typebox").TSchema>(s: T) => t.Union([s, t.Null()]);
const CustomerFields = {
  alias: t.Optional(Nullable(t.String())),
  blocked: t.Optional(t.Boolean()),
  max_budget: t.Optional(Nullable(t.Number({ minimum: 0, error: "max_budget must be a number >= 0" }))),
  soft_budget: t.Optional(Nullable(t.Number({ minimum: 0, error: "soft_budget must be a number >= 0" }))),
  budget_id: t.Optional(Nullable(t.String())),
  budget_duration: t.Optional(Nullable(t.String())),
  tpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  rpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  allowed_model_region: t.Optional(Nullable(t.Union([t.Literal("eu"), t.Literal("us")], { error: "allowed_model_region must be eu or us" }))),
  default_model: t.Optional(Nullable(t.String())),
  spend: t.Optional(t.Number({ minimum: 0 })),
};
const CustomerNewBody = t.Object({ user_id: t.String({ minLength: 1, error: "user_id is required" }), ...CustomerFields });
const CustomerUpdateBody = t.Object({ user_id: t.String({ minLength: 1, error: "user_id is required" }), ...CustomerFields });
const UserIdsBody = t.Object({ user_ids: t.Array(t.String({ minLength: 1 }), { error: "user_ids must be a list of end-user ids" }) });
// LiteLLM's parameters: end_user_ids / exclude_end_user_ids are comma-separated lists.
const ActivityQuery = t.Object({
  start_date: t.Optional(t.String()),
  end_date: t.Optional(t.String()),
  end_user_ids: t.Optional(t.String()),
  exclude_end_user_ids: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 1000),
});
const idList = (v: string | undefined) => (v ? v.split(",").map((x) => x.trim()).filter(Boolean) : undefined);
const InfoQuery = t.Object({ end_user_id: t.String({ minLength: 1, error: "end_user_id is required" }) });
type Fields = Partial<typeof CustomerNewBody.static>;

const doc = (summary: string) => ({ detail: { tags: ["customers"], summary } });

/** LiteLLM's customer object: the budget is reported as litellm_budget_table. */
export function toCustomerJson(r: EndUserRow) {
  return {
    user_id: r.userId,
    alias: r.alias,
    spend: nanoToUsd(r.spendNano),
    blocked: r.blocked,
    allowed_model_region: r.allowedModelRegion,
    default_model: r.defaultModel,
    budget_id: r.budgetId,
    litellm_budget_table:
      r.maxBudgetNano === null && r.softBudgetNano === null && r.tpmLimit === null && r.rpmLimit === null && r.budgetDuration === null
        ? null
        : {
            budget_id: r.budgetId,
            max_budget: nanoToUsdOrNull(r.maxBudgetNano),
            soft_budget: nanoToUsdOrNull(r.softBudgetNano),
            tpm_limit: r.tpmLimit,
            rpm_limit: r.rpmLimit,
            budget_duration: r.budgetDuration,
            budget_reset_at: r.budgetResetAt?.toISOString() ?? null,
          },
    created_at: r.createdAt.toISOString(),
  };
}

export function customerRoutes(deps: AppDeps) {
  const s = deps.store;
  // Budget changes reach the budget book and the end-user cache (block, limits) at once.
  const changed = (ids: readonly string[]) => {
    for (const id of ids) {
      deps.endUsers?.invalidate(id);
      deps.spend?.book.invalidate({ scope: "end_user", id });
    }
  };

  const toPatch = async (f: Fields, nowMs: number): Promise<EndUserPatch> => {
    if (f.max_budget != null && f.budget_id != null) throw new GatewayError({ status: 422, type: "invalid_request_error", message: "Set either 'max_budget' or 'budget_id', not both.", param: "budget_id" });
    if (f.default_model != null && !deps.config.modelList.some((m) => m.model_name === f.default_model)) {
      throw new GatewayError({ status: 422, type: "invalid_request_error", message: `Model=${f.default_model} not found on the proxy. Add it to the model list first.`, param: "default_model" });
    }
    const p: EndUserPatch = {};
    if (f.alias !== undefined) p.alias = f.alias;
    if (f.blocked !== undefined) p.blocked = f.blocked;
    if (f.allowed_model_region !== undefined) p.allowedModelRegion = f.allowed_model_region;
    if (f.default_model !== undefined) p.defaultModel = f.default_model;
    if (f.spend !== undefined) p.spendNano = usdToNano(f.spend);
    if (f.budget_id != null) {
      // A tier's limits are copied onto the end user (and kept in step by /budget/update), so the
      // budget book and the reset job read one row per end user.
      const [tier] = await findBudgets(s, [f.budget_id]);
      if (!tier) throw GatewayError.badRequest(`Budget id=${f.budget_id} does not exist. Create it with /budget/new first.`, "budget_id");
      Object.assign(p, { budgetId: tier.budgetId, maxBudgetNano: tier.maxBudgetNano, softBudgetNano: tier.softBudgetNano, tpmLimit: tier.tpmLimit, rpmLimit: tier.rpmLimit }, budgetPeriodColumns(tier.budgetDuration, nowMs, deps.config.litellm.timezone));
      return p;
    }
    if (f.budget_id === null) p.budgetId = null;
    if (f.max_budget !== undefined) p.maxBudgetNano = usdToNanoOrNull(f.max_budget);
    if (f.soft_budget !== undefined) p.softBudgetNano = usdToNanoOrNull(f.soft_budget);
    if (f.tpm_limit !== undefined) p.tpmLimit = f.tpm_limit;
    if (f.rpm_limit !== undefined) p.rpmLimit = f.rpm_limit;
    if (f.budget_duration !== undefined) Object.assign(p, budgetPeriodColumns(f.budget_duration, nowMs, deps.config.litellm.timezone));
    return p;
  };

  const info = async (id: string) => {
    const row = await findEndUser(s, id);
    if (!row) throw GatewayError.notFound(`End User Id=${id} does not exist in db`, "end_user_id");
    return toCustomerJson(row);
  };

  const routes = (prefix: "/customer" | "/end_user", hide: boolean) => {
    const d = (summary: string) => (hide ? { detail: { hide: true } } : doc(summary));
    return new Elysia({ name: `admin${prefix}` })
      .use(authGuard(deps))
      .post(`${prefix}/new`, async ({ body }) => {
        const { user_id, ...fields } = body;
        const row = await insertEndUser(s, { userId: user_id, ...(await toPatch(fields, deps.now())) });
        if (!row) throw GatewayError.badRequest(`Customer already exists, passed user_id=${user_id}. Please pass a new user_id.`, "user_id");
        changed([user_id]);
        return toCustomerJson(row);
      }, { body: CustomerNewBody, ...d("Create an end user with a budget (max_budget or a budget_id tier), rpm/tpm, region") })
      .get(`${prefix}/info`, ({ query }) => info(query.end_user_id), { query: InfoQuery, ...d("An end user's settings and spend") })
      .post(`${prefix}/update`, async ({ body }) => {
        const { user_id, ...fields } = body;
        if (!(await findEndUser(s, user_id))) throw GatewayError.notFound(`End User Id=${user_id} does not exist in db`, "user_id");
        const row = await updateEndUser(s, user_id, await toPatch(fields, deps.now()));
        changed([user_id]);
        return toCustomerJson(row!);
      }, { body: CustomerUpdateBody, ...d("Change the fields sent; null clears a field") })
      .post(`${prefix}/delete`, async ({ body }) => {
        const deleted = await deleteEndUsers(s, body.user_ids);
        changed(deleted);
        return { deleted_customers: deleted };
      }, { body: UserIdsBody, ...d("Delete end users") })
      .get(`${prefix}/list`, async () => (await listEndUsers(s)).map(toCustomerJson), d("Every end user"))
      .post(`${prefix}/block`, async ({ body }) => {
        const ids = await setEndUsersBlocked(s, body.user_ids, true);
        changed(ids);
        return { blocked_users: ids };
      }, { body: UserIdsBody, ...d("Block end users: their calls are refused from the next request") })
      .post(`${prefix}/unblock`, async ({ body }) => {
        const ids = await setEndUsersBlocked(s, body.user_ids, false);
        changed(ids);
        return { blocked_users: ids };
      }, { body: UserIdsBody, ...d("Unblock end users") })
      .get(`${prefix}/daily/activity`, async ({ principal, query }) => {
        if (!canReadAll(principal.role)) throw GatewayError.forbidden(`Only proxy admins and proxy admin viewers can view customer activity. Your role=${principal.role}`);
        const from = parseDateParam(query.start_date, "start_date");
        const to = parseDateParam(query.end_date, "end_date");
        const rows = await sumDailyEndUserSpend(s, {
          fromDay: from?.day,
          toDay: to?.day,
          endUsers: idList(query.end_user_ids),
          excludeEndUsers: idList(query.exclude_end_user_ids),
        });
        // The end-user rollup is kept per model group: it is both the model and the model group
        // here, and there is no key or provider breakdown.
        return toDailyActivity(rows.map((r) => ({ ...r, model: r.modelGroup })), query.page ?? 1, query.page_size ?? 50, (r) => r.endUser);
      }, { query: ActivityQuery, ...d("Daily spend, tokens and requests per end user (?end_user_ids=a,b; admins and viewers)") });
  };
  // Typed as a plain Elysia: the routes' inferred types, twice (aliases), push buildApp's type past
  // tsc's complexity limit, and nothing reads them (tests go through HTTP).
  return new Elysia({ name: "admin-customers" }).use(routes("/customer", false)).use(routes("/end_user", true)) as unknown as Elysia;
}
