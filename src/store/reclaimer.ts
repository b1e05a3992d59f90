// Giving disk space back: decides which dead segments (no queue holds any of their messages) may
// be deleted, and when, and deletes them. Must not write records itself (the store stages live
// sets for it) nor delete the active segment.
//
//   segment Sk may go when: nothing live in it, all of it fsynced, what killed it fsynced, and no
//   segment Sj (j < k) it holds delivered/removed/purged records about is still there; deletion
//   runs oldest first with a directory fsync after each, so a crash never brings Sj back without Sk.
//   A live Sj would pin every later dead segment through that chain, so Sj's complete state is
//   restated in a live set record; once durable, older segments no longer speak for Sj.
import type { GroupCommit, SideFile } from './group-commit.js'
import type { Segment } from './segment.js'
import type { StoreIndex } from './store-index.js'
import type { StoreIo } from './store-io.js'
import type { StoreLog } from './store-log.js'

export interface ReclaimerOptions {
  index: StoreIndex
  commit: GroupCommit
  side: SideFile
  io: StoreIo
  dirFd: number
  log: StoreLog
  activeSegment: () => Segment
  /** Stages a live set record for `root` in the active segment; returns the segment it went to. */
  stageLiveSet: (root: Segment, entries: readonly number[]) => Segment
}

export class Reclaimer {
  private isWanted = false
  /** After a failed delete nothing more is deleted this session (later segments may speak of that one). */
  private isStopped = false
  /** Non-active segments that lost their last live message during the current store call. */
  private dying: Segment[] = []
  /** When each dead segment died (appendedSeq and side-file writes then): it may go once that is durable. */
  private readonly deadAt = new Map<Segment, { seq: number; side: number }>()
  /** Live set records written for live segments that pinned dead ones: when, and in which segment. */
  private readonly restated = new Map<Segment, { seq: number; inSegment: number; isApplied: boolean }>()

  constructor(private readonly o: ReclaimerOptions) {}

  /** Whether a segment lost its last live message in the current store call (settle() will note it). */
  get hasDying(): boolean {
    return this.dying.length > 0
  }

  /** A segment lost its last live message (or was closed without any). */
  noteDying(segment: Segment): void {
    this.dying.push(segment)
  }

  /** At the end of a store call: segments that died in it may go once what killed them (staged by now) is durable. */
  settle(): void {
    if (this.dying.length === 0) return
    const active = this.o.activeSegment()
    for (const s of this.dying) {
      if (s.liveMessages === 0 && s !== active) this.deadAt.set(s, { seq: this.o.commit.appendedSeq, side: this.o.side.writeCount })
    }
    this.dying = []
    this.isWanted = true
    this.o.commit.scheduleSync()
  }

  /** At open everything is on disk: every dead segment but the active one may go. */
  noteDeadAtOpen(): void {
    const active = this.o.activeSegment()
    for (const s of this.o.index.segments) if (s.liveMessages === 0 && s !== active) this.deadAt.set(s, { seq: 0, side: 0 })
    this.isWanted = this.deadAt.size > 0
  }

  /** Runs after each sync round: deletes what may go, restates what pins. Never rejects. */
  async run(): Promise<void> {
    if (!this.isWanted || this.isStopped) return
    this.isWanted = false
    const { index, commit, io, dirFd, log } = this.o
    this.applyRestatements()
    const active = this.o.activeSegment()
    for (const segment of [...index.segments]) {
      const dead = this.deadAt.get(segment)
      if (!dead || segment === active) continue
      if (segment.liveMessages > 0) {
        this.deadAt.delete(segment)
        continue
      }
      if (dead.seq > commit.durableSeq || dead.side > commit.sideSynced || !index.isReclaimable(segment)) {
        this.isWanted = true
        continue
      }
      this.forget(segment)
      try {
        segment.close()
        await new Promise<void>((resolve, reject) => io.unlink(segment.path, (err) => (err ? reject(err) : resolve())))
        await new Promise<void>((resolve, reject) => io.fsyncDir(dirFd, (err) => (err ? reject(err) : resolve())))
      } catch (err) {
        // Left behind, the file is found dead at the next open and deleted then.
        log.error({ err, file: segment.path }, 'could not delete a reclaimed segment; reclaiming stops until reopen')
        this.isStopped = true
        return
      }
    }
    this.restatePinningSegments()
    if (this.isWanted) commit.scheduleSync()
  }

  private forget(segment: Segment): void {
    this.o.index.removeSegment(segment)
    this.deadAt.delete(segment)
    this.restated.delete(segment)
  }

  /** Stages a live set for each live segment that keeps dead ones waiting, at most once per active segment. */
  private restatePinningSegments(): void {
    const roots = new Set<Segment>(), seen = new Set<Segment>()
    for (const s of this.deadAt.keys()) if (s.liveMessages === 0 && s !== this.o.activeSegment()) this.collectRoots(s, roots, seen)
    for (const root of roots) {
      const last = this.restated.get(root)
      if (last && (!last.isApplied || last.inSegment === this.o.activeSegment().seq)) continue
      const segment = this.o.stageLiveSet(root, this.o.index.liveSet(root))
      this.restated.set(root, { seq: this.o.commit.appendedSeq, inSegment: segment.seq, isApplied: false })
      this.isWanted = true
    }
    this.settle()
  }

  /** The live segments `dead` waits for, directly or through other dead segments. */
  private collectRoots(dead: Segment, roots: Set<Segment>, seen: Set<Segment>): void {
    if (!dead.references) return
    for (const seq of dead.references) {
      const target = this.o.index.segmentBySeq(seq)
      if (!target || seen.has(target)) continue
      seen.add(target)
      if (target.liveMessages > 0) roots.add(target)
      else this.collectRoots(target, roots, seen)
    }
  }

  /** A durable live set stands in for every older record about its segment. */
  private applyRestatements(): void {
    for (const [root, r] of this.restated) {
      if (r.isApplied || r.seq > this.o.commit.durableSeq) continue
      r.isApplied = true
      for (const s of this.o.index.segments) if (s.seq < r.inSegment) s.references?.delete(root.seq)
    }
  }
}
