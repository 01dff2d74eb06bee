// The api_base SSRF policy as a pure decision: addresses, CIDRs, metadata, allow and deny lists.
import { describe, expect, test } from "bun:test";
import { decideApiBase, inCidr, parseIp } from "../../src/policy/ssrf.ts";

const strict = { allowedHosts: [], deniedHosts: [], allowPrivateNetworks: false };

describe("decideApiBase", () => {
  test.each([
    ["https://api.openai.com/v1", ["104.18.6.192"], strict, true],
    ["https://evil.example/v1", ["10.0.0.7"], strict, false], // a public name resolving to a private address
    ["http://127.0.0.1:8000", [], strict, false],
    ["http://[::ffff:127.0.0.1]:8000", [], strict, false],
    ["http://[fe80::1]/", [], strict, false],
    ["http://100.64.1.1/", [], strict, false],
    ["http://127.0.0.1:8000", [], { ...strict, allowedHosts: ["127.0.0.1"] }, true],
    ["http://10.2.3.4/", [], { ...strict, allowedHosts: ["10.0.0.0/8"] }, true],
    ["http://10.2.3.4/", [], { ...strict, allowPrivateNetworks: true }, true],
    ["http://169.254.169.254/", [], { ...strict, allowPrivateNetworks: true }, false],
    ["http://metadata.google.internal/", ["169.254.169.254"], { ...strict, allowPrivateNetworks: true }, false],
    ["https://api.openai.com/v1", ["104.18.6.192"], { ...strict, deniedHosts: ["api.openai.com"] }, false],
    ["http://10.2.3.4/", [], { ...strict, allowedHosts: ["10.0.0.0/8"], deniedHosts: ["10.2.3.4"] }, false],
    ["gopher://x/", [], strict, false],
  ])("%s via %j → %p", (url, ips, policy, ok) => {
    expect(decideApiBase(url, ips, policy).ok).toBe(ok);
  });
});

test.each([
  ["10.1.2.3", "10.0.0.0/8", true],
  ["11.1.2.3", "10.0.0.0/8", false],
  ["172.31.255.255", "172.16.0.0/12", true],
  ["172.32.0.0", "172.16.0.0/12", false],
  ["fd12::1", "fc00::/7", true],
  ["2001:db8::1", "fc00::/7", false],
  ["::1", "::1/128", true],
])("%s in %s → %p", (ip, cidr, inside) => expect(inCidr(ip, cidr)).toBe(inside));

test("parseIp rejects what is not an address", () => {
  for (const text of ["256.1.1.1", "example.com", "1:2:3", "1::2::3"]) expect(parseIp(text)).toBeUndefined();
});
