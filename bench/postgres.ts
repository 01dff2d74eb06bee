// A throwaway Postgres database for the Postgres run, created on the server at TEST_DATABASE_URL
// (or --pg URL) and dropped afterwards.
import postgres from "postgres";

export async function freshBenchDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tollgate_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await c.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
