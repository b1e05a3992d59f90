// Small statistics for benchmark rounds: median and range, formatted for the tables we print.

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}

export function summary(values: readonly number[], digits = 1): string {
  const s = [...values].sort((a, b) => a - b)
  return `${median(s).toFixed(digits)} (min ${s[0].toFixed(digits)}, max ${s[s.length - 1].toFixed(digits)})`
}
