// The dashboard page: served at `/` without a build step, and rendered by headless Chromium,
// which polls the API and shows a queue's depth change after publishing; a screenshot is saved.
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, startManagedBroker, type ManagedBroker } from './support.js'

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p))
/** Where the screenshot is kept for a person to look at (the test directory is removed). */
const SCREENSHOT = join(tmpdir(), 'warren-dashboard.png')

let b: ManagedBroker
let profile: string
beforeAll(async () => {
  b = await startManagedBroker()
  profile = mkdtempSync(join(tmpdir(), 'warren-chromium-'))
})
afterAll(async () => {
  await b.close()
  rmSync(profile, { recursive: true, force: true })
})

function chromium(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM!, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, ...args,
    ], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => (err ? reject(err) : resolve(stdout)))
  })
}

/** The page's DOM after its script has polled the API for a few (virtual) seconds. */
const renderedDom = () => chromium(['--virtual-time-budget=2500', '--dump-dom', b.baseUrl + '/'])

function readyCell(dom: string, queue: string): string | undefined {
  const row = new RegExp(`<tr data-queue="${queue}">(.*?)</tr>`).exec(dom)?.[1]
  return row && /<td class="n" data-field="messages_ready">(\d+)<\/td>/.exec(row)?.[1]
}

describe('dashboard', () => {
  it('is one self-contained HTML page that fetches nothing from elsewhere', async () => {
    const r = await call(b, '/', { noAuth: true })
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(r.text).toContain('<svg id="rate-chart"')
    expect(r.text).not.toMatch(/(src|href)="https?:/)
    expect((await call(b, '/', { method: 'POST', noAuth: true })).status).toBe(405)
  })

  it.skipIf(!CHROMIUM)('shows a queue\'s depth change after publishing, in headless Chromium, and saves a screenshot', async () => {
    await call(b, '/api/queues/%2F/dash-q', { method: 'PUT', body: {} })
    const before = await renderedDom()
    expect(readyCell(before, 'dash-q')).toBe('0')
    for (let i = 0; i < 7; i++) {
      await call(b, '/api/exchanges/%2F/amq.default/publish', { method: 'POST', body: { properties: {}, routing_key: 'dash-q', payload: `m${i}`, payload_encoding: 'string' } })
    }
    const after = await renderedDom()
    expect(readyCell(after, 'dash-q')).toBe('7')
    expect(after).toMatch(/<b data-card="Queues">1<\/b>/)
    expect(after).toMatch(/<path d="M/) // the depth chart drew a line

    rmSync(SCREENSHOT, { force: true })
    await chromium([`--screenshot=${SCREENSHOT}`, '--window-size=1200,800', '--virtual-time-budget=2500', '--hide-scrollbars', b.baseUrl + '/'])
    expect(existsSync(SCREENSHOT)).toBe(true)
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000)
    const png = readFileSync(SCREENSHOT)
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    expect(png.readUInt32BE(16)).toBe(1200) // IHDR width
  }, 90_000)
})

// Without Chromium the screenshot test above is skipped: install Debian's `chromium` package to run it.
if (!CHROMIUM) describe.skip('dashboard in Chromium (skipped: no chromium binary; apt-get install -y chromium)', () => { it('needs chromium', () => {}) })
