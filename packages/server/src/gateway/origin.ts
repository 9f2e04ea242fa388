// Origin allowlist for WebSocket upgrades (cross-site WebSocket hijacking defence). Clients that
// send no Origin (native apps, servers) are allowed: they cannot be a victim's browser.

/**
 * Patterns: `*` (any), `https://app.example.com` (exact origin), `app.example.com` (any scheme),
 * `*.example.com` or `https://*.example.com` (subdomains). An empty list means same host only.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === '') return true;
  if (allowed.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // includes the opaque "null" origin
  }
  const originHost = url.host.toLowerCase();
  if (allowed.length === 0) return host !== undefined && originHost === host.toLowerCase();
  for (const raw of allowed) {
    const pattern = raw.trim().toLowerCase();
    const m = /^([a-z][a-z0-9+.-]*):\/\/(.+)$/.exec(pattern);
    if (m && `${m[1]}:` !== url.protocol) continue;
    const hostPattern = (m ? m[2] : pattern) as string;
    if (hostPattern.startsWith('*.')) {
      const suffix = hostPattern.slice(1); // ".example.com"
      if (originHost.endsWith(suffix) && originHost.length > suffix.length) return true;
    } else if (hostPattern === originHost) {
      return true;
    }
  }
  return false;
}
