/**
 * SSRF guard: a webhook may reach only public addresses, unless its host is allow-listed.
 * Host names are resolved and every address they resolve to is checked.
 */
import { isIP } from "node:net";

/** True for loopback, private, link-local, unique-local, CGNAT, unspecified and multicast. */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").toLowerCase();
  if (isIP(a) === 4) {
    const [x, y] = a.split(".").map(Number) as [number, number];
    return x === 0 || x === 10 || x === 127 || x >= 224 || (x === 169 && y === 254) ||
      (x === 172 && y >= 16 && y <= 31) || (x === 192 && y === 168) ||
      (x === 100 && y >= 64 && y <= 127);
  }
  if (isIP(a) === 6) {
    if (a === "::1" || a === "::") return true;
    const mapped = a.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/);
    if (mapped) return isPrivateAddress(mapped[1]!);
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(a);
  }
  return false;
}

/** Resolves a host to its addresses (A and AAAA); an IP literal resolves to itself. */
export async function resolveHost(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (isIP(bare)) return [bare];
  if (bare === "localhost" || bare.endsWith(".localhost")) return ["127.0.0.1"];
  const results = await Promise.allSettled([
    Deno.resolveDns(bare, "A"),
    Deno.resolveDns(bare, "AAAA"),
  ]);
  return results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
}

/**
 * Returns why `url` must not be called, or undefined when it may: a scheme other than
 * http(s), a host that does not resolve, or one that resolves to a private address.
 */
export async function refusal(
  url: string,
  allowHosts: string[],
  resolve: (host: string) => Promise<string[]> = resolveHost,
): Promise<string | undefined> {
  const u = new URL(url);
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    return `scheme ${u.protocol} is not allowed`;
  }
  if (allowHosts.includes(u.hostname) || allowHosts.includes(u.host)) return undefined;
  const addresses = await resolve(u.hostname);
  if (addresses.length === 0) return `host ${u.hostname} does not resolve`;
  const inner = addresses.find(isPrivateAddress);
  return inner
    ? `host ${u.hostname} resolves to a private address (${inner}); allow-list it in DIP_WEBHOOK_ALLOW_HOSTS`
    : undefined;
}
