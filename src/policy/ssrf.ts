// Where an admin-supplied api_base may point (SSRF policy). Pure: the URL, the addresses its host
// resolved to and the policy in; a decision out. Denied by default: loopback, private, link-local,
// CGNAT, unique-local and unspecified ranges, and cloud metadata addresses. The policy's
// denied_hosts win over everything; allowed_hosts (host names, IPs or CIDRs) open exceptions;
// allow_private_networks opens the private ranges but never the metadata addresses.

export interface ApiBasePolicy {
  readonly allowedHosts: readonly string[];
  readonly deniedHosts: readonly string[];
  readonly allowPrivateNetworks: boolean;
}

export type ApiBaseDecision = { ok: true } | { ok: false; reason: string };

const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata", "metadata.azure.com", "instance-data"]);
const METADATA_CIDRS = ["169.254.169.254/32", "169.254.170.2/32", "fd00:ec2::254/128", "100.100.100.200/32"];
const PRIVATE_CIDRS = [
  "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16",
  "198.18.0.0/15", "::/128", "::1/128", "fc00::/7", "fe80::/10",
];

/** The host of an api_base, without brackets; undefined when it is not an http(s) URL. */
export function apiBaseHost(apiBase: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}

export function decideApiBase(apiBase: string, resolvedIps: readonly string[], policy: ApiBasePolicy): ApiBaseDecision {
  const host = apiBaseHost(apiBase);
  if (host === undefined) return { ok: false, reason: "api_base must be an http or https URL" };
  const matches = (entries: readonly string[]) => entries.some((e) => matchesHostEntry(e.toLowerCase(), host, resolvedIps));
  if (matches(policy.deniedHosts)) return { ok: false, reason: `api_base host ${host} is in general_settings.api_base_denied_hosts` };
  if (matches(policy.allowedHosts)) return { ok: true };
  const addresses = parseIp(host) ? [host] : resolvedIps;
  if (METADATA_HOSTS.has(host) || addresses.some((ip) => METADATA_CIDRS.some((c) => inCidr(ip, c)))) {
    return { ok: false, reason: `api_base host ${host} is a cloud metadata address` };
  }
  if (policy.allowPrivateNetworks) return { ok: true };
  if (host === "localhost" || host.endsWith(".localhost")) return { ok: false, reason: privateReason(host) };
  if (addresses.some((ip) => PRIVATE_CIDRS.some((c) => inCidr(ip, c)))) return { ok: false, reason: privateReason(host) };
  return { ok: true };
}

const privateReason = (host: string) =>
  `api_base host ${host} is a private, loopback or link-local address; allow it with general_settings.api_base_allowed_hosts`;

function matchesHostEntry(entry: string, host: string, resolvedIps: readonly string[]): boolean {
  if (entry.includes("/")) return [host, ...resolvedIps].some((ip) => inCidr(ip, entry));
  if (parseIp(entry)) return sameIp(entry, host) || resolvedIps.some((ip) => sameIp(entry, ip));
  return entry === host;
}

const sameIp = (a: string, b: string) => {
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.bits === y.bits && x.value === y.value;
};

/** An IPv4 or IPv6 literal as a number; IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function parseIp(text: string): { bits: 32 | 128; value: bigint } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { bits: 32, value: BigInt(((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) };
  }
  if (!text.includes(":")) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  if (mapped) return parseIp(mapped[1]!);
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array(missing).fill("0"), ...tail];
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) + BigInt(parseInt(g, 16));
  }
  // IPv4-mapped in hex form (URL parsing turns ::ffff:127.0.0.1 into ::ffff:7f00:1).
  if (value >> 32n === 0xffffn) return { bits: 32, value: value & 0xffffffffn };
  return { bits: 128, value };
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, prefixText] = cidr.split("/");
  const addr = parseIp(ip);
  const net = parseIp(base ?? "");
  if (!addr || !net || addr.bits !== net.bits) return false;
  const prefix = BigInt(prefixText === undefined ? net.bits : Number(prefixText));
  const shift = BigInt(net.bits) - prefix;
  return addr.value >> shift === net.value >> shift;
}
