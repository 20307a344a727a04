import { ConflictError } from '../errors';
import type { Repository, Stored } from '../store/repository';

/**
 * Read-modify-write of one entity with its ETag, created when missing. A writer that
 * loses a race reads again and reapplies its change (never a lost update).
 * `change` returns undefined to leave the entity as it is.
 */
export async function changeEntity<T>(
  repository: Repository<T>,
  partition: string,
  id: string,
  change: (current: T | undefined) => T | undefined,
  attempts = 5,
): Promise<Stored<T> | undefined> {
  for (let attempt = 0; ; attempt++) {
    const current = await repository.get(partition, id);
    const next = change(current?.value);
    if (next === undefined) return current;
    try {
      return current ? await repository.update(current, next) : await repository.create(next);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= attempts - 1) throw error;
    }
  }
}
