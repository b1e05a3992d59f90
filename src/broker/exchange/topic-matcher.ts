// Compiles topic binding keys into a trie of words, `*` (exactly one word) and `#` (zero or more
// words), and matches routing keys against it. Knows nothing of exchanges or messages.

interface Node<T> {
  readonly words: Map<string, Node<T>>
  star: Node<T> | undefined
  hash: Node<T> | undefined
  readonly values: T[]
}

const node = <T>(): Node<T> => ({ words: new Map(), star: undefined, hash: undefined, values: [] })

export class TopicMatcher<T> {
  private root: Node<T> = node()

  add(bindingKey: string, value: T): void {
    let at = this.root
    for (const word of bindingKey.split('.')) {
      if (word === '*') at = at.star ??= node()
      else if (word === '#') at = at.hash ??= node()
      else {
        let next = at.words.get(word)
        if (!next) at.words.set(word, (next = node()))
        at = next
      }
    }
    at.values.push(value)
  }

  remove(bindingKey: string, value: T): void {
    const path: Node<T>[] = [this.root]
    let at: Node<T> | undefined = this.root
    for (const word of bindingKey.split('.')) {
      at = word === '*' ? at.star : word === '#' ? at.hash : at.words.get(word)
      if (!at) return
      path.push(at)
    }
    const i = at.values.indexOf(value)
    if (i >= 0) at.values.splice(i, 1)
  }

  /** Every value whose binding key matches; a value bound by several matching keys appears once per key. */
  match(routingKey: string): T[] {
    const out: T[] = []
    this.walk(this.root, routingKey.split('.'), 0, out)
    return out
  }

  private walk(at: Node<T>, words: string[], i: number, out: T[]): void {
    if (at.hash) {
      // `#` swallows zero or more words: try every split point.
      for (let j = i; j <= words.length; j++) this.walk(at.hash, words, j, out)
    }
    if (i === words.length) {
      for (const v of at.values) out.push(v)
      return
    }
    const next = at.words.get(words[i])
    if (next) this.walk(next, words, i + 1, out)
    if (at.star) this.walk(at.star, words, i + 1, out)
  }
}
