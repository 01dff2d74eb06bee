// Runtime models over HTTP: /model/new is callable at once, /model/delete answers 400 at once,
// the upstream key is sealed in the database file and never returned, team-scoped models serve
// only their team, the api_base SSRF policy, admin-only changes, /model_group/info and /health.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";

const SECRET = "sk-upstream-Very-Secret-0123456789";
let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    configYaml: `model_list:
  - model_name: from-config
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-config }
    model_info: { id: cfg-1 }
router_settings:
  model_group_alias: { friendly: from-config, secret-alias: { model: from-config, hidden: true } }
general_settings:
  master_key: ${MASTER_KEY}
  api_base_allowed_hosts: ["127.0.0.1"]
  health_check_interval: 60
`,
  });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
});

beforeEach(() => mock.reset());

const chat = (model: string, key?: string) =>
  gw.request("/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hi" }] } });
const newModel = (body: unknown, key?: string) => gw.request("/model/new", { method: "POST", key, json: body });
const readDbBytes = async () => {
  const files = [gw.store.location, `${gw.store.location}-wal`];
  const parts = await Promise.all(files.map(async (f) => ((await Bun.file(f).exists()) ? Buffer.from(await Bun.file(f).arrayBuffer()) : Buffer.alloc(0))));
  return Buffer.concat(parts);
};

test("a model added with /model/new is callable at once; deleted, it answers 400 at once", async () => {
  const res = await newModel({
    model_name: "runtime-gpt",
    litellm_params: { model: "openai/gpt-4o-mini", api_base: `${mock.url}/v1`, api_key: SECRET },
    model_info: { id: "rt-1" },
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).not.toContain(SECRET);
  expect(JSON.parse(text)).toMatchObject({ model_id: "rt-1", model_name: "runtime-gpt", model_info: { db_model: true } });

  const call = await chat("runtime-gpt");
  expect(call.status).toBe(200);
  expect(call.headers.get("x-litellm-model-id")).toBe("rt-1");
  // Decrypted for the provider only.
  expect(mock.last().headers.authorization).toBe(`Bearer ${SECRET}`);
  expect(mock.last().body.model).toBe("gpt-4o-mini");

  const info = await (await gw.request("/model/info")).text();
  expect(info).toContain("runtime-gpt");
  expect(info).not.toContain(SECRET);
  const groups = await (await gw.request("/model_group/info")).text();
  expect(groups).not.toContain(SECRET);
  expect(JSON.parse(groups).data.map((g: { model_group: string }) => g.model_group)).toContain("runtime-gpt");

  const del = await gw.request("/model/delete", { method: "POST", json: { id: "rt-1" } });
  expect(del.status).toBe(200);
  const gone = await chat("runtime-gpt");
  expect(gone.status).toBe(400);
  expect((await errorOf(gone)).message).toContain("Invalid model name");
});

test("the stored upstream key is not readable in the database file", async () => {
  const res = await newModel({ model_name: "sealed", litellm_params: { model: "openai/x", api_base: `${mock.url}/v1`, api_key: SECRET } });
  expect(res.status).toBe(200);
  const bytes = await readDbBytes();
  expect(bytes.includes(Buffer.from("sealed"))).toBe(true); // the row is there...
  expect(bytes.includes(Buffer.from(SECRET))).toBe(false); // ...its key is not
  expect(bytes.includes(Buffer.from(SECRET.slice(10)))).toBe(false);
});

test("/model/update merges fields, keeps the key sealed, and refuses config-file models", async () => {
  await newModel({ model_name: "upd", litellm_params: { model: "openai/a", api_base: `${mock.url}/v1`, api_key: SECRET }, model_info: { id: "upd-1" } });
  const res = await gw.request("/model/update", { method: "POST", json: { model_info: { id: "upd-1" }, litellm_params: { model: "openai/b" } } });
  expect(res.status).toBe(200);
  expect(await res.text()).not.toContain(SECRET);
  expect((await chat("upd")).status).toBe(200);
  expect(mock.last().body.model).toBe("b");
  expect(mock.last().headers.authorization).toBe(`Bearer ${SECRET}`);

  const cfg = await gw.request("/model/update", { method: "POST", json: { id: "cfg-1", litellm_params: { model: "openai/c" } } });
  expect(cfg.status).toBe(400);
  const missing = await gw.request("/model/delete", { method: "POST", json: { id: "nope" } });
  expect(missing.status).toBe(404);
});

test("only proxy admins may change models or read /health", async () => {
  const { key } = (await (await gw.request("/key/generate", { method: "POST", json: {} })).json()) as { key: string };
  const res = await newModel({ model_name: "x", litellm_params: { model: "openai/x" } }, key);
  expect(res.status).toBe(401);
  expect((await gw.request("/health", { key })).status).toBe(401);
  expect((await gw.request("/model/delete", { method: "POST", key, json: { id: "cfg-1" } })).status).toBe(401);
});

describe("api_base SSRF policy", () => {
  test.each([
    ["http://10.1.2.3/v1", "private"],
    ["http://192.168.0.10:8000", "private"],
    ["http://127.0.0.2:4000", "private"],
    ["http://[::1]:8000", "private"],
    ["http://169.254.169.254/latest", "metadata"],
    ["http://localhost:11434", "private"],
    ["file:///etc/passwd", "http or https"],
  ])("%s is refused (%s)", async (apiBase, why) => {
    const res = await newModel({ model_name: "ssrf", litellm_params: { model: "openai/x", api_base: apiBase } });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.message).toContain(why);
    expect(err.param).toBe("litellm_params.api_base");
  });

  test("the allow list opens 127.0.0.1; a public address needs no exception", async () => {
    expect((await newModel({ model_name: "ok-local", litellm_params: { model: "openai/x", api_base: `${mock.url}/v1` } })).status).toBe(200);
    expect((await newModel({ model_name: "ok-public", litellm_params: { model: "openai/x", api_base: "https://8.8.8.8/v1" } })).status).toBe(200);
  });

  test("/model/update checks a new api_base too", async () => {
    await newModel({ model_name: "moving", litellm_params: { model: "openai/x", api_base: `${mock.url}/v1` }, model_info: { id: "mv-1" } });
    const res = await gw.request("/model/update", { method: "POST", json: { id: "mv-1", litellm_params: { api_base: "http://169.254.169.254" } } });
    expect(res.status).toBe(400);
  });
});

test("a team-scoped model serves only its team's keys", async () => {
  for (const team_id of ["team-a", "team-b"]) expect((await gw.request("/team/new", { method: "POST", json: { team_id } })).status).toBe(200);
  const keyOf = async (team_id: string) =>
    ((await (await gw.request("/key/generate", { method: "POST", json: { team_id } })).json()) as { key: string }).key;
  const [keyA, keyB] = [await keyOf("team-a"), await keyOf("team-b")];
  expect(
    (await newModel({ model_name: "team-only", litellm_params: { model: "openai/t", api_base: `${mock.url}/v1` }, model_info: { team_id: "team-a" } })).status,
  ).toBe(200);
  expect((await chat("team-only", keyA)).status).toBe(200);
  expect((await chat("team-only", keyB)).status).toBe(400);
  const infoB = await (await gw.request("/model/info", { key: keyB })).text();
  expect(infoB).not.toContain("team-only");
  const infoA = await (await gw.request("/model/info", { key: keyA })).text();
  expect(infoA).toContain("team-only");
});

test("router_settings.model_group_alias routes to the target group, hidden or not", async () => {
  for (const alias of ["friendly", "secret-alias"]) {
    const res = await chat(alias);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-litellm-model-id")).toBe("cfg-1");
    expect(res.headers.get("x-litellm-model-group")).toBe(alias);
  }
});

describe("GET /health", () => {
  test("probes idle deployments once per interval and reports each with its reason", async () => {
    const h = await startGateway({
      configYaml: `model_list:
  - model_name: good
    litellm_params: { model: openai/g, api_base: "${mock.url}/v1", api_key: sk-x }
    model_info: { id: good-1 }
  - model_name: bad
    litellm_params: { model: openai/b, api_base: "${mock.url}/v1", api_key: sk-x }
    model_info: { id: bad-1 }
  - model_name: "openai/*"
    litellm_params: { model: "openai/*" }
general_settings:
  health_check_interval: 3600
`,
    });
    try {
      // Two probes, in either order: one answers 500.
      mock.cue({ kind: "error", status: 500, message: "probe says no" });
      const first = (await (await h.request("/health")).json()) as any;
      expect(mock.received.length).toBe(2);
      expect(first.healthy_count + first.unhealthy_count).toBe(3);
      expect(first.unhealthy_count).toBe(1);
      expect(first.unhealthy_endpoints[0].error).toContain("probe says no");
      expect(mock.received.every((r) => r.body.max_tokens === 1)).toBe(true);

      const again = (await (await h.request("/health")).json()) as any;
      expect(mock.received.length).toBe(2); // within health_check_interval: no new probe
      expect(again.unhealthy_count).toBe(1);

      // Real traffic updates the state without a probe.
      const ok = await h.request("/v1/chat/completions", { method: "POST", json: { model: first.unhealthy_endpoints[0].model_name, messages: [{ role: "user", content: "x" }] } });
      expect(ok.status).toBe(200);
      const after = (await (await h.request("/health")).json()) as any;
      expect(after.unhealthy_count).toBe(0);
      expect(mock.received.length).toBe(3);
      const only = (await (await h.request("/health?model=good")).json()) as any;
      expect(only.healthy_endpoints.map((e: any) => e.model_id)).toEqual(["good-1"]);
    } finally {
      await h.close();
    }
  });
});

test("without TOLLGATE_SALT_KEY or a configured master key, a credential is refused, not stored in clear", async () => {
  const bare = await startGateway({ configYaml: `general_settings:\n  api_base_allowed_hosts: ["127.0.0.1"]\n` });
  try {
    const refused = await bare.request("/model/new", { method: "POST", json: { model_name: "k", litellm_params: { model: "openai/x", api_key: SECRET } } });
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).message).toContain("TOLLGATE_SALT_KEY");
    const keyless = await bare.request("/model/new", { method: "POST", json: { model_name: "k", litellm_params: { model: "ollama/llama3", api_base: `${mock.url}` } } });
    expect(keyless.status).toBe(200);
  } finally {
    await bare.close();
  }
});

test("/v1/models lists runtime models and visible aliases, never hidden ones or other teams' models", async () => {
  const listed = async (key?: string) => ((await (await gw.request("/v1/models", { key })).json()) as { data: { id: string }[] }).data.map((m) => m.id);
  expect(await listed()).toEqual(expect.arrayContaining(["from-config", "friendly"]));
  expect(await listed()).not.toContain("secret-alias");
  const added = await newModel({ model_name: "listed-at-runtime", litellm_params: { model: "openai/gpt-4o", api_base: `${mock.url}/v1`, api_key: SECRET } });
  expect(added.status).toBe(200);
  expect(await listed()).toContain("listed-at-runtime");

  await gw.request("/team/new", { method: "POST", json: { team_id: "listing-team" } });
  await newModel({ model_name: "team-only", litellm_params: { model: "openai/gpt-4o", api_base: `${mock.url}/v1` }, model_info: { team_id: "listing-team" } });
  const teamKey = ((await (await gw.request("/key/generate", { method: "POST", json: { team_id: "listing-team" } })).json()) as { key: string }).key;
  const otherKey = ((await (await gw.request("/key/generate", { method: "POST", json: {} })).json()) as { key: string }).key;
  expect(await listed(teamKey)).toContain("team-only");
  expect(await listed(otherKey)).not.toContain("team-only");
  // A key limited to the alias's target also sees the alias.
  const narrow = ((await (await gw.request("/key/generate", { method: "POST", json: { models: ["from-config"] } })).json()) as { key: string }).key;
  expect((await listed(narrow)).sort()).toEqual(["friendly", "from-config"]);
});
