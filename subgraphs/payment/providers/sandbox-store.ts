/**
 * Where the sandboxes keep their trades: small JSON files under DATA_DIR/payment-sandbox, so every process of one
 * installation (several payment instances, jest workers) sees the same provider state, as with a real provider.
 * Writes are atomic (temporary file + rename); `putIfAbsent` is exclusive (O_EXCL), which makes refunds idempotent
 * per refund number across processes. Development and tests only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class SandboxStore {
  constructor(private readonly dir: string) {}

  private file(kind: string, key: string) {
    if (!/^[A-Za-z0-9_\-|*@.]{1,128}$/.test(key) || key.includes('..')) throw new Error(`bad sandbox key ${key}`);
    const folder = path.join(this.dir, kind);
    fs.mkdirSync(folder, { recursive: true });
    return path.join(folder, `${key}.json`);
  }

  get<T>(kind: string, key: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(kind, key), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as Error).message.startsWith('bad sandbox key')) return undefined;
      throw error;
    }
  }

  put(kind: string, key: string, value: unknown): void {
    const target = this.file(kind, key);
    const temporary = `${target}.${crypto.randomBytes(6).toString('hex')}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(value));
    fs.renameSync(temporary, target);
  }

  /** Appends one JSON line to the log `key` of `kind` (O_APPEND: lines from several processes do not interleave). */
  append(kind: string, key: string, value: unknown): void {
    fs.appendFileSync(this.file(kind, key).replace(/\.json$/, '.jsonl'), `${JSON.stringify(value)}\n`);
  }

  /** The lines of a log, oldest first. */
  readLog<T>(kind: string, key: string): T[] {
    try {
      const text = fs.readFileSync(this.file(kind, key).replace(/\.json$/, '.jsonl'), 'utf8');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as Error).message.startsWith('bad sandbox key')) return [];
      throw error;
    }
  }

  /** Writes only if nothing is there yet; false when the key exists. */
  putIfAbsent(kind: string, key: string, value: unknown): boolean {
    try {
      fs.writeFileSync(this.file(kind, key), JSON.stringify(value), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }
}
