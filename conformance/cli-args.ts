// Command-line plumbing shared by run.ts and record.ts: flags and an amqp:// URL as a Target.
import type { Target } from './scenario.js'

/** `--name value` and `--flag` pairs; anything else is an error the caller reports. */
export function parseFlags(argv: string[]): Map<string, string | true> {
  const flags = new Map<string, string | true>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`)
    const [name, inline] = a.slice(2).split('=', 2)
    if (inline !== undefined) flags.set(name, inline)
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags.set(name, argv[++i])
    else flags.set(name, true)
  }
  return flags
}

/** amqp://user:pass@host:port/vhost (vhost percent-encoded; an empty path is '/'). */
export function targetFromUrl(url: string): Target {
  const u = new URL(url)
  if (u.protocol !== 'amqp:') throw new Error(`only amqp:// URLs are supported, got ${url}`)
  const path = u.pathname.replace(/^\//, '')
  return {
    host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname,
    port: u.port ? Number(u.port) : 5672,
    username: decodeURIComponent(u.username || 'guest'),
    password: decodeURIComponent(u.password || 'guest'),
    vhost: path === '' ? '/' : decodeURIComponent(path),
  }
}
