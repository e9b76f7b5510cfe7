/**
 * One native pointer, one owner. Every ORT object the binding creates is wrapped in a
 * {@link NativeHandle}: an explicit, idempotent `release()` frees it exactly once, and a
 * FinalizationRegistry frees it if the owner forgot. A handle that is busy in an asynchronous native
 * call is pinned: releasing it then only marks it released, and the native free happens when the
 * last call that uses it returns (freeing a session under a running Run would be a use-after-free).
 */

type Free = (ptr: bigint) => void;

interface Held {
  kind: string;
  ptr: bigint;
  free: Free;
}

// The held value never references the handle itself, or the handle could never be collected.
const registry = new FinalizationRegistry<Held>((held) => {
  try {
    held.free(held.ptr);
  } catch {
    // A finalizer has nobody to report to; the process goes on.
  }
});

/** Base of every native handle: wraps exactly one pointer. */
export class NativeHandle {
  readonly kind: string;
  #ptr: bigint | null;
  readonly #free: Free | null;
  #pins = 0;
  /** Set when release() came while pinned: freed by the last unpin(). */
  #pendingPtr: bigint | null = null;

  /**
   * @param kind what the pointer is, for error messages ("OrtSession")
   * @param ptr the native pointer (non-zero)
   * @param free frees it; null for borrowed pointers that ORT owns (release then only forgets it)
   */
  constructor(kind: string, ptr: bigint, free: Free | null) {
    if (ptr === 0n) throw new Error(`${kind}: null pointer`);
    this.kind = kind;
    this.#ptr = ptr;
    this.#free = free;
    if (free) registry.register(this, { kind, ptr, free }, this);
  }

  /** The native pointer. Throws once the handle is released. */
  get ptr(): bigint {
    if (this.#ptr === null) throw new Error(`${this.kind} used after release()`);
    return this.#ptr;
  }

  /** True once release() was called. */
  get released(): boolean {
    return this.#ptr === null;
  }

  /** Frees the native object (once; later calls do nothing). Deferred while the handle is pinned. */
  release(): void {
    const ptr = this.#ptr;
    if (ptr === null) return;
    this.#ptr = null;
    if (!this.#free) return;
    registry.unregister(this);
    if (this.#pins > 0) {
      this.#pendingPtr = ptr;
      return;
    }
    this.#free(ptr);
  }

  /** Marks the handle busy in a native call; pair with {@link unpin}. Returns the pointer. */
  pin(): bigint {
    const ptr = this.ptr;
    this.#pins++;
    return ptr;
  }

  /** Ends one {@link pin}; frees the object now if release() came while it was busy. */
  unpin(): void {
    if (this.#pins === 0) throw new Error(`${this.kind}: unpin() without pin()`);
    this.#pins--;
    if (this.#pins === 0 && this.#pendingPtr !== null && this.#free) {
      const ptr = this.#pendingPtr;
      this.#pendingPtr = null;
      this.#free(ptr);
    }
  }
}

/** Pins each handle (nulls skipped) for a synchronous native call; the caller unpins them. */
export function pinAll(handles: readonly (NativeHandle | null | undefined)[]): NativeHandle[] {
  const pinned: NativeHandle[] = [];
  try {
    for (const h of handles) {
      if (!h) continue;
      h.pin();
      pinned.push(h);
    }
  } catch (err) {
    for (const h of pinned) h.unpin();
    throw err;
  }
  return pinned;
}

/** Runs `fn` with every handle in `handles` pinned (nulls skipped), unpinning them afterwards. */
export async function withPinned<T>(
  handles: readonly (NativeHandle | null | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  const pinned = pinAll(handles);
  try {
    return await fn();
  } finally {
    for (const h of pinned) h.unpin();
  }
}
