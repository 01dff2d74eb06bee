// Models managed at runtime (/model/new, /model/update, /model/delete): stored in the database
// with their credentials sealed, loaded into the router next to the config's model_list, and
// reloaded on every instance when any instance changes one (invalidation payload "models:").
import type { Config, ModelEntry } from "../config/schema.ts";
import type { Store } from "../db/client.ts";
import type { JsonObject } from "../db/schema/json.ts";
import { deleteModelRow, findModelRow, insertModelRow, listModelRows, type ModelRow, updateModelRow } from "../db/store/models.ts";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { type ApiBasePolicy, apiBaseHost, decideApiBase, parseIp } from "../policy/ssrf.ts";
import { isSealed, SECRET_PARAM, type SecretBox } from "../security/secret-box.ts";
import type { Router } from "./router.ts";

export interface ModelChange {
  model_name?: string;
  litellm_params?: JsonObject;
  model_info?: JsonObject;
}

export class RuntimeModels {
  private generation = 0;
  /** Set once the invalidation channel exists: tells every other instance to reload. */
  publish: () => Promise<void> = async () => {};
  readonly policy: ApiBasePolicy;

  constructor(
    private readonly store: Store,
    private readonly router: Router,
    private readonly box: SecretBox | undefined,
    private readonly log: Logger,
    config: Config,
  ) {
    const g = config.general;
    this.policy = {
      allowedHosts: g.api_base_allowed_hosts ?? [],
      deniedHosts: g.api_base_denied_hosts ?? [],
      allowPrivateNetworks: g.api_base_allow_private_networks === true,
    };
  }

  /** Reads every stored model into the router; a later reload that finishes first wins over an earlier one. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const rows = await listModelRows(this.store);
    const entries = await Promise.all(rows.map((r) => this.toEntry(r)));
    if (generation === this.generation) this.router.setRuntimeModels(entries);
  }

  async add(change: ModelChange): Promise<ModelRow> {
    const modelName = change.model_name;
    const params = change.litellm_params;
    if (!modelName) throw GatewayError.badRequest("model_name is required", "model_name");
    if (!params || typeof params.model !== "string" || params.model === "") {
      throw GatewayError.badRequest("litellm_params.model is required", "litellm_params");
    }
    const info = { ...change.model_info };
    const modelId = typeof info.id === "string" && info.id !== "" ? info.id : crypto.randomUUID();
    if (this.router.deployments.some((d) => d.id === modelId) || (await findModelRow(this.store, modelId))) {
      throw GatewayError.badRequest(`A model with id ${modelId} already exists; use /model/update to change it.`, "model_info.id");
    }
    await this.checkApiBase(params.api_base);
    const row = { modelId, modelName, litellmParams: await this.sealSecrets(params), modelInfo: { ...info, id: modelId } };
    await insertModelRow(this.store, row);
    await this.changed();
    return (await findModelRow(this.store, modelId))!;
  }

  /** Fields given replace the stored ones; litellm_params and model_info are merged key by key. */
  async update(modelId: string, change: ModelChange): Promise<ModelRow> {
    const row = await this.storedOrRefuse(modelId, "update");
    const params = { ...row.litellmParams, ...change.litellm_params };
    if (change.litellm_params && "api_base" in change.litellm_params) await this.checkApiBase(change.litellm_params.api_base);
    const fields = {
      modelName: change.model_name ?? row.modelName,
      litellmParams: await this.sealSecrets(params),
      modelInfo: { ...row.modelInfo, ...change.model_info, id: modelId },
    };
    await updateModelRow(this.store, modelId, fields);
    await this.changed();
    return (await findModelRow(this.store, modelId))!;
  }

  async remove(modelId: string): Promise<void> {
    await this.storedOrRefuse(modelId, "delete");
    await deleteModelRow(this.store, modelId);
    await this.changed();
  }

  private async storedOrRefuse(modelId: string, verb: string): Promise<ModelRow> {
    const row = await findModelRow(this.store, modelId);
    if (row) return row;
    if (this.router.deployments.some((d) => d.id === modelId)) {
      throw GatewayError.badRequest(`Model ${modelId} comes from the config file; ${verb} it there.`, "id");
    }
    throw GatewayError.notFound(`Model with id=${modelId} not found.`, "id");
  }

  /** This instance answers with the change applied; the others reload on the notification. */
  private async changed(): Promise<void> {
    await this.reload();
    await this.publish();
  }

  private async sealSecrets(params: JsonObject): Promise<JsonObject> {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(params)) {
      if (!SECRET_PARAM.test(k) || typeof v !== "string" || v === "" || v.startsWith("tgenc:")) {
        out[k] = v;
        continue;
      }
      if (v.startsWith("os.environ/")) {
        out[k] = v; // a reference, not a secret: resolved when loaded
        continue;
      }
      if (!this.box) {
        throw GatewayError.badRequest(
          `Cannot store litellm_params.${k}: no encryption key. Set TOLLGATE_SALT_KEY or general_settings.master_key (or LITELLM_MASTER_KEY) so stored credentials are encrypted.`,
          `litellm_params.${k}`,
        );
      }
      out[k] = await this.box.seal(v);
    }
    return out;
  }

  private async toEntry(row: ModelRow): Promise<ModelEntry> {
    const params: JsonObject = {};
    for (const [k, v] of Object.entries(row.litellmParams)) {
      if (isSealed(v)) {
        try {
          params[k] = this.box ? await this.box.open(v) : undefined;
        } catch {
          params[k] = undefined;
          this.log.error("a stored model credential cannot be decrypted (TOLLGATE_SALT_KEY or the master key changed?)", { model_id: row.modelId, field: k });
        }
      } else if (typeof v === "string" && v.startsWith("os.environ/")) {
        params[k] = Bun.env[v.slice("os.environ/".length)] ?? null;
      } else params[k] = v;
    }
    return { model_name: row.modelName, litellm_params: params as ModelEntry["litellm_params"], model_info: { ...row.modelInfo, id: row.modelId } };
  }

  private async checkApiBase(apiBase: unknown): Promise<void> {
    if (apiBase === undefined || apiBase === null) return;
    if (typeof apiBase !== "string") throw GatewayError.badRequest("litellm_params.api_base must be a string", "litellm_params.api_base");
    const host = apiBaseHost(apiBase);
    let resolved: string[] = [];
    if (host && !parseIp(host) && host !== "localhost" && !host.endsWith(".localhost")) {
      try {
        // Loaded here, not at startup: node:dns costs every start a few ms and only this needs it.
        const { lookup } = await import("node:dns/promises");
        resolved = (await lookup(host, { all: true })).map((a) => a.address);
      } catch {
        // Unresolvable now: refused, since what it resolves to later cannot be checked.
        throw GatewayError.badRequest(`api_base host ${host} could not be resolved`, "litellm_params.api_base");
      }
    }
    const decision = decideApiBase(apiBase, resolved, this.policy);
    if (!decision.ok) throw GatewayError.badRequest(decision.reason, "litellm_params.api_base");
  }
}

/** A stored or configured deployment as the API shows it: credentials left out. */
export function withoutSecrets(params: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(params)) if (!SECRET_PARAM.test(k)) out[k] = v;
  return out;
}

/** A runtime model as the API shows it: its credentials left out. */
export const toModelJson = (row: ModelRow) => ({
  model_id: row.modelId,
  model_name: row.modelName,
  litellm_params: withoutSecrets(row.litellmParams),
  model_info: { ...row.modelInfo, id: row.modelId, db_model: true },
});
