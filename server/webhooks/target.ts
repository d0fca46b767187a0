import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Resolves a host name to every address it has (the system resolver by default; tests pass their own). */
export type Resolver = (hostname: string) => Promise<{ address: string; family: 4 | 6 }[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/**
 * Where a webhook must never go unless private targets are allowed: this host, the private networks, link-local
 * (the cloud metadata service at 169.254.169.254 and fd00:ec2::254 among them), carrier-grade NAT, multicast
 * and the reserved ranges. IPv4-mapped IPv6 addresses are checked as IPv4.
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  forbidden.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  forbidden.addSubnet(network, prefix, "ipv6");
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return forbidden.check(address, family === 4 ? "ipv4" : "ipv6");
}

export type TargetCheck =
  | { ok: true; url: URL; address: string; family: 4 | 6 }
  | { ok: false; reason: string };

/**
 * Where a webhook URL may be sent, decided on the addresses its host resolves to now. Every address must be
 * allowed (a host with one private address among public ones is refused), and the caller connects to the
 * address returned here, not to the name again: a DNS answer that changes between the check and the connection
 * (DNS rebinding) cannot steer the request inside.
 */
export async function checkTarget(
  rawUrl: string,
  policy: { allowPrivate: boolean; resolve: Resolver },
): Promise<TargetCheck> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return { ok: false, reason: "must be http or https" };
  if (url.username || url.password) return { ok: false, reason: "must not carry a user name or password" };
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: { address: string; family: 4 | 6 }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      return { ok: false, reason: `the host ${host} does not resolve` };
    }
  }
  const first = addresses[0];
  if (!first) return { ok: false, reason: `the host ${host} does not resolve` };
  if (!policy.allowPrivate && addresses.some(({ address }) => isPrivateAddress(address))) {
    return {
      ok: false,
      reason:
        "resolves to a loopback, private or link-local address (allowed only with WEBHOOKS_ALLOW_PRIVATE=true)",
    };
  }
  return { ok: true, url, address: first.address, family: first.family };
}
