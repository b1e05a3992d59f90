// The slice of the untyped `buffer-layout` package that record-layout.ts uses to declare the
// on-disk headers. Declarations only; widen them here if record-layout needs more of the package.
declare module 'buffer-layout' {
  export class Layout<T = unknown> {
    readonly span: number
    readonly property: string | undefined
    decode(b: Uint8Array, offset?: number): T
    encode(src: T, b: Uint8Array, offset?: number): number
    getSpan(b?: Uint8Array, offset?: number): number
  }
  export class Structure<T = Record<string, unknown>> extends Layout<T> {
    readonly fields: Layout[]
    offsetOf(property: string): number | undefined
  }
  export function struct<T = Record<string, unknown>>(fields: Layout[], property?: string, decodePrefixes?: boolean): Structure<T>
  export function u8(property?: string): Layout<number>
  export function u16(property?: string): Layout<number>
  export function u32(property?: string): Layout<number>
  export function nu64(property?: string): Layout<number>
  export function blob(length: number, property?: string): Layout<Uint8Array>
}
