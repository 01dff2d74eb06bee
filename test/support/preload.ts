// Loaded before every test file (bunfig.toml): no test may reach a real provider or inherit the
// developer's database or master key, and scratch files go to one temp dir per run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const INHERITED = [
  "OPENAI_API_KEY", "ANTHROPIC_API_KEY", "AZURE_API_KEY", "AZURE_API_BASE", "GEMINI_API_KEY", "GOOGLE_API_KEY",
  "MISTRAL_API_KEY", "GROQ_API_KEY", "OPENROUTER_API_KEY", "LITELLM_MASTER_KEY", "DATABASE_URL", "UI_USERNAME", "UI_PASSWORD",
];
for (const name of INHERITED) delete process.env[name];

const dir = mkdtempSync(path.join(tmpdir(), "tollgate-test-"));
process.env.TOLLGATE_TEST_TMP = dir;
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
