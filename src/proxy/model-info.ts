// /model/info and /model_group/info: the deployments a caller may use, as LiteLLM lists them, with
// pricing and every credential in litellm_params removed. Team-scoped runtime models
// (model_info.team_id) are listed only for that team's keys and for admins.
import type { Principal } from "../auth/principal.ts";
import { accessListsOf, decideModelAccess } from "../policy/model-access.ts";
import { isProxyAdmin } from "../policy/roles.ts";
import { splitModel } from "../providers/registry.ts";
import type { Deployment, Json } from "../providers/types.ts";
import type { Router } from "../router/router.ts";
import { SECRET_PARAM } from "../security/secret-box.ts";
import { lookupPrice } from "../spend/prices.ts";

function visibleDeployments(router: Router, principal: Principal): readonly Deployment[] {
  if (principal.kind === "master" || isProxyAdmin(principal.role)) return router.deployments;
  const lists = accessListsOf({ keyModels: principal.key.models, teamModels: principal.team?.models, userModels: principal.user?.models });
  const teamId = principal.team?.teamId;
  return router.deployments.filter((d) => {
    const owner = d.info.team_id;
    if (owner !== undefined && owner !== null && owner !== teamId) return false;
    return decideModelAccess(lists, [{ name: d.modelName, accessGroups: d.info.access_groups ?? [] }]).ok;
  });
}

export function modelInfoList(router: Router, principal: Principal): Json[] {
  return visibleDeployments(router, principal).map((d) => {
    const params: Json = {};
    for (const [k, v] of Object.entries(d.params)) if (!SECRET_PARAM.test(k)) params[k] = v;
    const { provider, name } = splitModel(d.params.model);
    // The shipped price table, per token like LiteLLM; model_info prices (spread below) win.
    const price = lookupPrice(d.info.base_model ?? d.params.model);
    return {
      model_name: d.modelName,
      litellm_params: params,
      model_info: {
        key: name,
        litellm_provider: provider,
        mode: d.info.mode ?? "chat",
        max_tokens: null,
        max_input_tokens: null,
        max_output_tokens: null,
        input_cost_per_token: price ? price.input / 1e6 : null,
        output_cost_per_token: price ? price.output / 1e6 : null,
        ...d.info,
        id: d.id,
        db_model: router.isRuntime(d.id),
      },
    };
  });
}

export interface ModelGroupInfo {
  model_group: string;
  providers: string[];
  mode: string;
  input_cost_per_token: number | null;
  output_cost_per_token: number | null;
  max_input_tokens: number | null;
  max_output_tokens: number | null;
  rpm: number | null;
  tpm: number | null;
  deployment_count: number;
  [extra: string]: unknown;
}

/** One entry per model group the caller may use; rpm/tpm are the group's summed capacity. */
export function modelGroupInfoList(router: Router, principal: Principal): ModelGroupInfo[] {
  const byGroup = new Map<string, Deployment[]>();
  for (const d of visibleDeployments(router, principal)) byGroup.set(d.modelName, [...(byGroup.get(d.modelName) ?? []), d]);
  return [...byGroup].map(([group, ds]) => {
    const first = ds[0]!;
    const price = lookupPrice(first.info.base_model ?? first.params.model);
    const sum = (pick: (d: Deployment) => number | undefined) =>
      ds.every((d) => pick(d) !== undefined) ? ds.reduce((a, d) => a + pick(d)!, 0) : null;
    const num = (v: unknown) => (typeof v === "number" ? v : null);
    return {
      model_group: group,
      providers: [...new Set(ds.map((d) => splitModel(d.params.model).provider))],
      mode: first.info.mode ?? "chat",
      input_cost_per_token: first.info.input_cost_per_token ?? (price ? price.input / 1e6 : null),
      output_cost_per_token: first.info.output_cost_per_token ?? (price ? price.output / 1e6 : null),
      max_input_tokens: num((first.info as Json).max_input_tokens),
      max_output_tokens: num((first.info as Json).max_output_tokens),
      rpm: sum((d) => d.params.rpm),
      tpm: sum((d) => d.params.tpm),
      deployment_count: ds.length,
    };
  });
}
