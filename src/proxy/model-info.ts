// /model/info: the deployments a caller may use, as LiteLLM lists them, with pricing and every
// credential in litellm_params removed.
import type { Principal } from "../auth/principal.ts";
import { accessListsOf, decideModelAccess } from "../policy/model-access.ts";
import { splitModel } from "../providers/registry.ts";
import type { Json } from "../providers/types.ts";
import type { Router } from "../router/router.ts";
import { lookupPrice } from "../spend/prices.ts";

const SECRET = /(key|secret|password|token|credentials?)$/i;

export function modelInfoList(router: Router, principal: Principal): Json[] {
  return router.deployments
    .filter((d) => {
      if (principal.kind === "master") return true;
      const lists = accessListsOf({ keyModels: principal.key.models, teamModels: principal.team?.models, userModels: principal.user?.models });
      return decideModelAccess(lists, [{ name: d.modelName, accessGroups: d.info.access_groups ?? [] }]).ok;
    })
    .map((d) => {
      const params: Json = {};
      for (const [k, v] of Object.entries(d.params)) if (!SECRET.test(k)) params[k] = v;
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
          db_model: false,
        },
      };
    });
}
