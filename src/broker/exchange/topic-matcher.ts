// Compiles topic binding keys into a trie of words, `*` (exactly one word) and `#` (zero or more
// words), and matches routing keys against it. Knows nothing of exchanges or messages.

interface Node<T> {
  readonly id: number
  readonly words: Map<string, Node<T>>
  star: Node<T> | undefined
  hash: Node<T> | undefined
  readonly values: T[]
}

/** RabbitMQ splits keys into words on dots; the empty key has no words at all. */
const wordsOf = (key: string): string[] => (key === '' ? [] : key.split('.'))

export class TopicMatcher<T> {
  private nextId = 0
  private readonly root: Node<T> = this.node()

  private node(): Node<T> {
    return { id: this.nextId++, words: new Map(), star: undefined, hash: undefined, values: [] }
  }

  add(bindingKey: string, value: T): void {
    let at = this.root
    for (const word of wordsOf(bindingKey)) {
      if (word === '*') at = at.star ??= this.node()
      else if (word === '#') at = at.hash ??= this.node()
      else {
        let next = at.words.get(word)
        if (!next) at.words.set(word, (next = this.node()))
        at = next
      }
    }
    at.values.push(value)
  }

  remove(bindingKey: string, value: T): void {
    const path: Node<T>[] = [this.root]
    let at: Node<T> | undefined = this.root
    for (const word of wordsOf(bindingKey)) {
      at = word === '*' ? at.star : word === '#' ? at.hash : at.words.get(word)
      if (!at) return
      path.push(at)
    }
    const i = at.values.indexOf(value)
    if (i >= 0) at.values.splice(i, 1)
  }

  /** Every value whose binding key matches (a value may appear more than once). */
  match(routingKey: string): T[] {
    const out: T[] = []
    this.walk(this.root, wordsOf(routingKey), 0, out, new Set())
    return out
  }

  /**
   * Depth-first over (node, word index) states. `visited` makes each state count once, which keeps
   * keys like `#.#.#.#` linear in the routing key's length instead of exponential.
   */
  private walk(at: Node<T>, words: string[], i: number, out: T[], visited: Set<number>): void {
    const state = at.id * (words.length + 1) + i
    if (visited.has(state)) return
    visited.add(state)
    if (at.hash) {
      // `#` swallows zero or more words: try every split point.
      for (let j = i; j <= words.length; j++) this.walk(at.hash, words, j, out, visited)
    }
    if (i === words.length) {
      for (const v of at.values) out.push(v)
      return
    }
    const next = at.words.get(words[i])
    if (next) this.walk(next, words, i + 1, out, visited)
    if (at.star) this.walk(at.star, words, i + 1, out, visited)
  }
}
