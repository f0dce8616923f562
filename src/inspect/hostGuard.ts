/** @module hostGuard: refuses requests whose Host or Origin does not name the inspector's own listener (DNS rebinding). */
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';

interface Authority {
  hostname: string;
  port: string;
}

/** `host[:port]` as in a Host header (no user info, path, query or fragment), normalised as URLs do. */
function parseAuthority(value: string): Authority | undefined {
  if (!/^[^\s/?#@\\]+$/.test(value)) return undefined;
  try {
    const u = new URL(`http://${value}`);
    return { hostname: u.hostname, port: u.port || '80' };
  } catch {
    return undefined;
  }
}

/** An Origin header (`scheme://host[:port]`); only http and https origins can be the inspector's page. */
function parseOrigin(value: string): Authority | undefined {
  try {
    const u = new URL(value);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.pathname !== '/' || u.search || u.hash) return undefined;
    return { hostname: u.hostname, port: u.port || (u.protocol === 'https:' ? '443' : '80') };
  } catch {
    return undefined;
  }
}

/**
 * Builds the Host/Origin check for a listener on `host`:`port`, as local dev servers do against DNS
 * rebinding. Host must be the bound host, `localhost`, `127.0.0.1` or `[::1]`, with the listener's
 * port; on a wildcard listener (`0.0.0.0`, `::`) any IP literal with that port is accepted too (a
 * rebinding attack needs a DNS name). Origin may be missing (non-browser clients) or an http(s)
 * origin whose host passes the same test. Returns why a request is refused, or undefined.
 * @example
 * const refusal = hostGuard('127.0.0.1', 7070)
 * refusal({ host: '127.0.0.1:7070' }) // undefined
 * refusal({ host: 'evil.example:7070' }) // 'Host "evil.example:7070" is not this inspector …'
 */
export function hostGuard(host: string, port: number): (headers: IncomingHttpHeaders) => string | undefined {
  const bound = parseAuthority(host.includes(':') ? `[${host}]` : host)?.hostname;
  const names = new Set(['localhost', '127.0.0.1', '[::1]', ...(bound ? [bound] : [])]);
  const wildcard = bound === '0.0.0.0' || bound === '[::]';
  const allowed = (a: Authority | undefined): boolean =>
    a !== undefined && a.port === String(port) && (names.has(a.hostname) || (wildcard && isIP(a.hostname.replace(/^\[|\]$/g, '')) !== 0));
  const expected = [...names].map((n) => `${n}:${port}`).join(', ') + (wildcard ? `, or an IP address with port ${port}` : '');

  return (headers) => {
    const hostHeader = headers.host;
    if (!allowed(hostHeader === undefined ? undefined : parseAuthority(hostHeader))) {
      return `Host ${JSON.stringify(hostHeader ?? '(none)')} is not this inspector's address; allowed: ${expected}`;
    }
    const origin = headers.origin;
    if (origin !== undefined && !allowed(parseOrigin(origin))) {
      return `Origin ${JSON.stringify(origin)} is not this inspector's page; allowed: none, or an http(s) origin with host ${expected}`;
    }
    return undefined;
  };
}
