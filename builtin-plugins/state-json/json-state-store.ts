import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DsError, errorMessage, isDsError } from '../../kernel/errors.js';
import type { StateStore } from '../../plugin-sdk/capabilities/state.js';
import { emptyState, type StateDocument } from '../../plugin-sdk/state-types.js';
import { AsyncMutex } from './async-mutex.js';
import { writeFileAtomic } from './atomic-write.js';
import { acquireFileLock } from './file-lock.js';
import { decodeState, serializeState, StateFieldError } from '../../plugin-sdk/index.js';

/**
 * The original's `state.json`, made safe for two processes: every `update` holds an
 * in-process mutex (same-process callers queue in memory) and then `<path>.lock` (other
 * processes), re-reads the file, applies `fn`, and replaces the file atomically with fsync.
 * Reads take no lock: the file is only ever replaced by rename, so a reader sees the old or
 * the new version, never half of one. The previous version is kept as `<path>.bak`.
 *
 * Every call reads the file. `update` skips only the parse and validation (~40% of its CPU)
 * when the bytes on disk are exactly the bytes it wrote last: it then reuses the document
 * it wrote, a private copy never handed out before (and handed out only once).
 *
 * A file that does not parse or validate is never reset or overwritten: every call fails
 * with DS_ERR_STATE_CORRUPT naming the file and the field, until a human fixes it.
 */

export interface JsonStateStoreOptions {
  /** How long `update` waits at each of the in-process queue and the lock file. Default 10 s. */
  lockTimeoutMs?: number;
  /** Keep the replaced version as `<path>.bak` on every write. Default true. */
  backup?: boolean;
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

export class JsonStateStore implements StateStore {
  /** Absolute path of the state file. */
  readonly location: string;
  readonly #lockPath: string;
  readonly #lockTimeoutMs: number;
  readonly #backup: boolean;
  readonly #mutex = new AsyncMutex();
  /** Marks code running inside `update`'s callback, to fail fast on a nested (deadlocking) update. */
  readonly #inUpdate = new AsyncLocalStorage<{ active: boolean }>();
  /** The text this store wrote last and the canonical document it encodes (see the class comment). */
  #lastWrite: { text: string; doc: StateDocument } | undefined;

  /** Does no I/O; the file and its directory are created on the first write. */
  constructor(path: string, options: JsonStateStoreOptions = {}) {
    this.location = resolve(path);
    this.#lockPath = `${this.location}.lock`;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    this.#backup = options.backup ?? true;
  }

  /**
   * Reads the file (every call; no cache) and passes `fn` a private copy.
   * @throws DsError DS_ERR_STATE_CORRUPT when the file cannot be read, parsed or validated.
   */
  async view<R>(fn: (state: Readonly<StateDocument>) => R | Promise<R>): Promise<R> {
    return fn(this.#read());
  }

  /**
   * Load → `fn` → save, atomic across processes. If `fn` throws, nothing is written and
   * its error propagates unchanged. Do not call `update` from inside `fn` (it would wait
   * for itself): that throws DS_ERR_INTERNAL. `view` inside `fn` sees the file as it was.
   * @throws DsError DS_ERR_STATE_CORRUPT (file invalid; untouched), DS_ERR_BUSY (lock not
   * obtained in time, naming the holder pid), DS_ERR_INTERNAL (`fn` produced an invalid
   * document; nothing written).
   */
  async update<R>(fn: (state: StateDocument) => R | Promise<R>): Promise<R> {
    if (this.#inUpdate.getStore()?.active === true) {
      throw new DsError('DS_ERR_INTERNAL', `nested update of state file ${this.location}: update() was called from inside an update() callback`);
    }
    return this.#mutex.run(() => this.#locked(fn), this.#lockTimeoutMs, () => this.#busyInProcess());
  }

  async #locked<R>(fn: (state: StateDocument) => R | Promise<R>): Promise<R> {
    const release = await this.#io('locking', () => acquireFileLock(this.#lockPath, { timeoutMs: this.#lockTimeoutMs, resource: `state file ${this.location}` }));
    const marker = { active: true };
    try {
      const state = this.#readForUpdate();
      const result = await this.#inUpdate.run(marker, () => fn(state));
      marker.active = false;
      const canonical = this.#canonical(state);
      const text = serializeState(canonical);
      await this.#io('writing', () => writeFileAtomic(this.location, text, { backup: this.#backup }));
      this.#lastWrite = { text, doc: canonical };
      return result;
    } finally {
      marker.active = false;
      release();
    }
  }

  /** Names the state file in host I/O failures (EACCES, ENOSPC, EROFS …), which Node often does not. */
  async #io<T>(verb: string, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isDsError(err)) throw err;
      throw new DsError('DS_ERR_INTERNAL', `${verb} state file ${this.location}: ${errorMessage(err)}`, { cause: err, details: { file: this.location } });
    }
  }

  #readForUpdate(): StateDocument {
    const last = this.#lastWrite;
    this.#lastWrite = undefined; // one-shot: fn may keep and mutate what it is given
    const text = this.#readText();
    if (last !== undefined && text === last.text) return last.doc;
    return text === undefined ? emptyState() : this.#decode(text);
  }

  #read(): StateDocument {
    const text = this.#readText();
    return text === undefined ? emptyState() : this.#decode(text);
  }

  /** The file's text, or undefined when it does not exist (an empty state, not an error). */
  #readText(): string | undefined {
    try {
      return readFileSync(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw this.#corrupt(`cannot be read: ${errorMessage(err)}`, undefined, err);
    }
  }

  #decode(text: string): StateDocument {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw this.#corrupt(`is not valid JSON: ${errorMessage(err)}`, undefined, err);
    }
    try {
      return decodeState(raw);
    } catch (err) {
      if (err instanceof StateFieldError) throw this.#corrupt(err.message, err.field, err);
      throw err;
    }
  }

  /** Validates what `fn` left and returns a private, canonical copy of it. */
  #canonical(state: StateDocument): StateDocument {
    try {
      return decodeState(state);
    } catch (err) {
      throw new DsError('DS_ERR_INTERNAL', `refusing to write an invalid state to ${this.location}: ${errorMessage(err)}`, {
        cause: err,
        details: { file: this.location, field: err instanceof StateFieldError ? err.field : undefined },
      });
    }
  }

  #corrupt(problem: string, field: string | undefined, cause: unknown): DsError {
    const bak = `${this.location}.bak`;
    const what = field === undefined ? 'the file' : field;
    const hint = existsSync(bak) ? `fix ${what} by hand, or restore the last good version from ${bak}` : `fix ${what} by hand`;
    return new DsError('DS_ERR_STATE_CORRUPT', `state file ${this.location}: ${problem}; ${hint}`, {
      cause,
      details: { file: this.location, field, hint },
    });
  }

  #busyInProcess(): DsError {
    return new DsError('DS_ERR_BUSY', `state file ${this.location} is locked by pid ${process.pid} (this process): an earlier update has not finished after ${this.#lockTimeoutMs} ms`, {
      details: { lock: this.#lockPath, pid: process.pid },
    });
  }
}
