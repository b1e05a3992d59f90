// Derives spec/amqp-0-9-1.json, our compact protocol definition, from the published reference
// (../shared/reference/amqp-rabbitmq-0.9.1.json): domains resolved to wire types, prose dropped.
// Run by `npm run gen -- --derive`; never at broker runtime.
import { readFileSync, writeFileSync } from 'node:fs'

interface RefArgument { name: string; type?: string; domain?: string; 'default-value'?: unknown }
interface RefMethod { name: string; id: number; synchronous?: boolean; content?: boolean; arguments: RefArgument[] }
interface RefClass { name: string; id: number; methods: RefMethod[]; properties?: { name: string; type?: string; domain?: string }[] }
interface Reference {
  'major-version': number; 'minor-version': number; revision: number; port: number
  domains: [string, string][]; constants: { name: string; value: number; class?: string }[]; classes: RefClass[]
}

/** The compact definition's shape, shared with the generator. */
export interface Spec {
  source: string
  version: [number, number, number]
  port: number
  frame: { method: number; header: number; body: number; heartbeat: number; minSize: number; end: number }
  replyCodes: { name: string; code: number; hard: boolean | null }[]
  classes: SpecClass[]
}
export interface SpecClass {
  name: string; id: number
  properties: [name: string, type: string][]
  methods: SpecMethod[]
}
export interface SpecMethod {
  name: string; id: number; synchronous: boolean; content: boolean
  fields: [name: string, type: string, defaultValue?: unknown][]
}

const FRAME_CONSTANTS: Record<string, keyof Spec['frame']> = {
  'FRAME-METHOD': 'method', 'FRAME-HEADER': 'header', 'FRAME-BODY': 'body',
  'FRAME-HEARTBEAT': 'heartbeat', 'FRAME-MIN-SIZE': 'minSize', 'FRAME-END': 'end',
}

export function deriveSpec(ref: Reference, source: string): Spec {
  const domains = new Map(ref.domains)
  const wireType = (a: { type?: string; domain?: string }): string => {
    const t = a.type ?? domains.get(a.domain ?? '')
    if (!t) throw new Error(`unresolvable type for ${JSON.stringify(a)}`)
    return t
  }
  const frame = {} as Spec['frame']
  const replyCodes: Spec['replyCodes'] = []
  for (const c of ref.constants) {
    const key = FRAME_CONSTANTS[c.name]
    if (key) frame[key] = c.value
    else replyCodes.push({ name: c.name.toLowerCase(), code: c.value, hard: c.class ? c.class === 'hard-error' : null })
  }
  return {
    source,
    version: [ref['major-version'], ref['minor-version'], ref.revision],
    port: ref.port,
    frame,
    replyCodes,
    classes: ref.classes.map((c) => ({
      name: c.name,
      id: c.id,
      properties: (c.properties ?? []).map((p) => [p.name, wireType(p)] as [string, string]),
      methods: c.methods.map((m) => ({
        name: m.name,
        id: m.id,
        synchronous: m.synchronous === true,
        content: m.content === true,
        fields: m.arguments.map((a) => {
          const f: [string, string, unknown?] = [a.name, wireType(a)]
          if (a['default-value'] !== undefined) f.push(a['default-value'])
          return f as [string, string, unknown?]
        }),
      })),
    })),
  }
}

export function deriveFile(referencePath: string, outPath: string): void {
  const ref = JSON.parse(readFileSync(referencePath, 'utf8')) as Reference
  const spec = deriveSpec(ref, 'amqp-rabbitmq-0.9.1.json (RabbitMQ code-generation reference)')
  writeFileSync(outPath, formatSpec(spec))
}

/** One line per method keeps the definition readable and its diffs small. */
export function formatSpec(spec: Spec): string {
  const lines: string[] = ['{']
  lines.push(`  "source": ${JSON.stringify(spec.source)},`)
  lines.push(`  "version": ${JSON.stringify(spec.version)},`)
  lines.push(`  "port": ${spec.port},`)
  lines.push(`  "frame": ${JSON.stringify(spec.frame)},`)
  lines.push('  "replyCodes": [')
  lines.push(spec.replyCodes.map((r) => `    ${JSON.stringify(r)}`).join(',\n'))
  lines.push('  ],')
  lines.push('  "classes": [')
  lines.push(spec.classes.map((c) => [
    `    { "name": ${JSON.stringify(c.name)}, "id": ${c.id}, "properties": ${JSON.stringify(c.properties)},`,
    '      "methods": [',
    c.methods.map((m) => `        ${JSON.stringify(m)}`).join(',\n'),
    '      ] }',
  ].join('\n')).join(',\n'))
  lines.push('  ]')
  lines.push('}')
  return lines.join('\n') + '\n'
}
