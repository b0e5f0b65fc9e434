import type { z } from 'zod';

/**
 * A JSON value in Web Storage, validated with a contract schema on every read. Storage is user-
 * writable (devtools, extensions, an older app version): anything that does not parse is removed
 * and the fallback returned, so a corrupt entry costs the saved value, never the app.
 */

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface StoredValue<T> {
  read(): T;
  write(value: T): void;
  clear(): void;
}

export function storedValue<S extends z.ZodType>(
  storage: StorageLike,
  key: string,
  schema: S,
  fallback: () => z.output<S>,
  onCorrupt: (key: string, reason: string) => void = () => {},
): StoredValue<z.output<S>> {
  return {
    read() {
      let raw: string | null;
      try {
        raw = storage.getItem(key);
      } catch {
        return fallback(); // storage disabled (privacy mode): behave as empty
      }
      if (raw === null) return fallback();
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        storage.removeItem(key);
        onCorrupt(key, 'not JSON');
        return fallback();
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        storage.removeItem(key);
        onCorrupt(key, parsed.error.issues[0]?.message ?? 'invalid');
        return fallback();
      }
      return parsed.data;
    },
    write(value) {
      storage.setItem(key, JSON.stringify(value));
    },
    clear() {
      storage.removeItem(key);
    },
  };
}
