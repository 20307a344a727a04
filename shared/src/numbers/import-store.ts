import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../access/principal';
import { ConflictError } from '../errors';
import { escapeKey, invertedTime, odataString } from '../store/keys';
import { Repository, type RepositoryDefinition, type Stored } from '../store/repository';
import type { TableStore } from '../store/table-store';
import type { ImportSummary, ValidatedImportRow } from './import-validation';

/**
 * Validated bulk SMS imports, kept so that "apply" applies exactly what was validated.
 *
 * Table `smsimports`, one partition per enterprise. An import is one record entity
 * (RowKey = import id: status, progress, failures) and its validated rows as JSON,
 * cut into chunk entities (RowKey `{id}~rows~0000`, ...). Table Storage limits a string
 * property to 64 KiB (32 Ki UTF-16 characters) and an entity to 1 MiB, so each chunk
 * carries up to 12 properties of 30,000 characters (720 KB at most), and long lists on
 * the record (failures) are cut the same way. The chunks are written first and the
 * record last: an import whose record exists is complete. A SHA-256 of the rows' JSON,
 * kept on the record, is checked when they are read back for applying.
 */
export const SMS_IMPORTS_TABLE = 'smsimports';

export type SmsImportStatus = 'validated' | 'applying' | 'applied' | 'failed';

export interface ImportFailure {
  line: number;
  username: string;
  message: string;
}

export interface SmsImportRecord {
  enterpriseId: string;
  id: string;
  fileName: string;
  /** SHA-256 (hex) of the file as uploaded. */
  fileSha256: string;
  /** SHA-256 (hex) of the stored rows' JSON: what apply checks before it starts. */
  rowsSha256: string;
  bytes: number;
  chunks: number;
  createdAt: string;
  createdBy: Actor;
  /** The validation's counts. */
  validation: ImportSummary;
  canApply: boolean;
  ignoredColumns: string[];
  status: SmsImportStatus;
  /** Rows to apply (the rows without errors). */
  total: number;
  /** Rows done (changed, unchanged or failed). */
  processed: number;
  changed: number;
  unchanged: number;
  failed: number;
  /** Position in the apply order up to which every row is done: a resumed run starts here. */
  cursor: number;
  /** The first failures (at most MAX_STORED_FAILURES). */
  failures: ImportFailure[];
  appliedBy?: Actor;
  startedAt?: string;
  finishedAt?: string;
  /** Why a run failed as a whole (storage down, damaged import). */
  error?: string;
  leaseOwner?: string;
  leaseUntil?: string;
}

/** Failures kept on the record; the count in `failed` is always complete. */
export const MAX_STORED_FAILURES = 1000;
const MAX_FAILURE_MESSAGE = 400;

/** Characters per string property: under Table Storage's 64 KiB (32,768 UTF-16 characters). */
const PIECE_CHARS = 30_000;
/** Properties per chunk entity: 12 x 60,000 bytes stays under the 1 MiB entity limit. */
const PIECES_PER_CHUNK = 12;
/** Properties for a long list on the record itself (next to its other fields). */
const RECORD_LIST_PIECES = 8;

/** Cuts text into pieces of at most `size` characters, never between the halves of a surrogate pair. */
export function cutText(text: string, size: number): string[] {
  const pieces: string[] = [];
  let at = 0;
  while (at < text.length) {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}

/**
 * JSON with every non-ASCII character written as a \u escape (JSON.parse reads it back
 * identically). Azurite corrupts a multi-byte UTF-8 character that straddles two chunks
 * of a large request body (seen on 700 KB entities: "Ü" came back as two U+FFFD); ASCII
 * text cannot be split that way, and it never cuts a surrogate pair either.
 */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const pieceName = (prefix: string, index: number) => `${prefix}${String(index).padStart(2, '0')}`;

function writePieces(prefix: string, text: string, maxPieces: number): Record<string, string> {
  const pieces = cutText(text, PIECE_CHARS);
  if (pieces.length > maxPieces) throw new Error(`${prefix}: ${text.length} characters do not fit in ${maxPieces} properties.`);
  return Object.fromEntries(pieces.map((piece, i) => [pieceName(prefix, i), piece]));
}

function readPieces(properties: Record<string, unknown>, prefix: string): string {
  let text = '';
  for (let i = 0; ; i++) {
    const piece = properties[pieceName(prefix, i)];
    if (typeof piece !== 'string') return text;
    text += piece;
  }
}

/** The failures that fit on the record, messages shortened, as JSON. */
function failuresJson(failures: readonly ImportFailure[]): string {
  const kept = failures.slice(0, MAX_STORED_FAILURES).map((f) => ({ ...f, message: f.message.length > MAX_FAILURE_MESSAGE ? f.message.slice(0, MAX_FAILURE_MESSAGE - 1) + '…' : f.message }));
  let json = asciiJson(kept);
  while (json.length > PIECE_CHARS * RECORD_LIST_PIECES && kept.length > 0) {
    kept.splice(Math.floor(kept.length * 0.8));
    json = asciiJson(kept);
  }
  return json;
}

const recordDefinition: RepositoryDefinition<SmsImportRecord> = {
  table: SMS_IMPORTS_TABLE,
  entityName: 'import',
  partitionOf: (r) => r.enterpriseId,
  idOf: (r) => r.id,
  toEntity: (r) => ({
    kind: 'import',
    fileName: r.fileName,
    fileSha256: r.fileSha256,
    rowsSha256: r.rowsSha256,
    bytes: r.bytes,
    chunks: r.chunks,
    createdAt: r.createdAt,
    createdBy: JSON.stringify(r.createdBy),
    validation: JSON.stringify(r.validation),
    canApply: r.canApply,
    ignoredColumns: JSON.stringify(r.ignoredColumns),
    status: r.status,
    total: r.total,
    processed: r.processed,
    changed: r.changed,
    unchanged: r.unchanged,
    failed: r.failed,
    cursor: r.cursor,
    ...writePieces('failures', failuresJson(r.failures), RECORD_LIST_PIECES),
    appliedBy: r.appliedBy ? JSON.stringify(r.appliedBy) : null,
    startedAt: r.startedAt ?? null,
    finishedAt: r.finishedAt ?? null,
    error: r.error ?? null,
    leaseOwner: r.leaseOwner ?? null,
    leaseUntil: r.leaseUntil ?? null,
  }),
  fromEntity: (p, keys) => {
    const optional = (name: string) => (typeof p[name] === 'string' ? { [name]: p[name] as string } : {});
    return {
      enterpriseId: keys.partition,
      id: keys.id,
      fileName: String(p.fileName),
      fileSha256: String(p.fileSha256),
      rowsSha256: String(p.rowsSha256),
      bytes: Number(p.bytes),
      chunks: Number(p.chunks),
      createdAt: String(p.createdAt),
      createdBy: JSON.parse(String(p.createdBy)) as Actor,
      validation: JSON.parse(String(p.validation)) as ImportSummary,
      canApply: p.canApply === true,
      ignoredColumns: JSON.parse(String(p.ignoredColumns ?? '[]')) as string[],
      status: String(p.status) as SmsImportStatus,
      total: Number(p.total ?? 0),
      processed: Number(p.processed ?? 0),
      changed: Number(p.changed ?? 0),
      unchanged: Number(p.unchanged ?? 0),
      failed: Number(p.failed ?? 0),
      cursor: Number(p.cursor ?? 0),
      failures: JSON.parse(readPieces(p, 'failures') || '[]') as ImportFailure[],
      ...(typeof p.appliedBy === 'string' ? { appliedBy: JSON.parse(p.appliedBy) as Actor } : {}),
      ...optional('startedAt'),
      ...optional('finishedAt'),
      ...optional('error'),
      ...optional('leaseOwner'),
      ...optional('leaseUntil'),
    };
  },
};

interface RowsChunk {
  enterpriseId: string;
  importId: string;
  index: number;
  /** At most PIECES_PER_CHUNK pieces of at most PIECE_CHARS characters. */
  pieces: string[];
}

const chunkId = (importId: string, index: number) => `${importId}~rows~${String(index).padStart(4, '0')}`;

const chunkDefinition: RepositoryDefinition<RowsChunk> = {
  table: SMS_IMPORTS_TABLE,
  entityName: 'import rows',
  partitionOf: (c) => c.enterpriseId,
  idOf: (c) => chunkId(c.importId, c.index),
  toEntity: (c) => ({ kind: 'rows', importId: c.importId, index: c.index, ...Object.fromEntries(c.pieces.map((piece, i) => [pieceName('rows', i), piece])) }),
  fromEntity: (p, keys) => ({ enterpriseId: keys.partition, importId: String(p.importId), index: Number(p.index), pieces: [readPieces(p, 'rows')] }),
};

/** Newest first: an inverted millisecond timestamp, then random characters. */
export function newImportId(at: Date): string {
  return `${invertedTime(at)}-${randomBytes(5).toString('hex')}`;
}

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export class SmsImportRepository {
  private readonly records: Repository<SmsImportRecord>;
  private readonly chunks: Repository<RowsChunk>;

  constructor(private readonly store: TableStore) {
    this.records = new Repository(store, recordDefinition);
    this.chunks = new Repository(store, chunkDefinition);
  }

  /** Stores the validated rows, then the record (so a record always has its rows). */
  async create(record: Omit<SmsImportRecord, 'rowsSha256' | 'chunks'>, rows: readonly ValidatedImportRow[]): Promise<Stored<SmsImportRecord>> {
    const json = asciiJson(rows);
    const pieces = cutText(json, PIECE_CHARS);
    const chunks = Array.from({ length: Math.ceil(pieces.length / PIECES_PER_CHUNK) }, (_, index) => pieces.slice(index * PIECES_PER_CHUNK, (index + 1) * PIECES_PER_CHUNK));
    await Promise.all(chunks.map((chunk, index) => this.chunks.create({ enterpriseId: record.enterpriseId, importId: record.id, index, pieces: chunk })));
    return this.records.create({ ...record, rowsSha256: sha256(json), chunks: chunks.length });
  }

  get(enterpriseId: string, importId: string): Promise<Stored<SmsImportRecord> | undefined> {
    return this.records.get(enterpriseId, importId);
  }

  update(current: Stored<SmsImportRecord>, next: SmsImportRecord): Promise<Stored<SmsImportRecord>> {
    return this.records.update(current, next);
  }

  /** The validated rows, exactly as stored at validation (their checksum is verified). */
  async rows(record: SmsImportRecord): Promise<ValidatedImportRow[]> {
    const ids = Array.from({ length: record.chunks }, (_, index) => chunkId(record.id, index));
    const found = await Promise.all(ids.map((id) => this.chunks.get(record.enterpriseId, id)));
    const json = found.map((chunk) => chunk?.value.pieces.join('') ?? '').join('');
    if (found.some((chunk) => !chunk) || sha256(json) !== record.rowsSha256) {
      throw new ConflictError(`The stored rows of import ${record.id} are incomplete or damaged; validate the file again.`);
    }
    return JSON.parse(json) as ValidatedImportRow[];
  }

  /** Deletes imports created before `before` (record and rows), oldest first, at most `limit`. Best effort. */
  async purgeCreatedBefore(enterpriseId: string, before: Date, limit = 50): Promise<number> {
    const client = this.store.client(SMS_IMPORTS_TABLE);
    const partition = escapeKey(enterpriseId);
    const filter = `PartitionKey eq ${odataString(partition)} and kind eq 'import' and createdAt lt ${odataString(before.toISOString())}`;
    const old: Array<{ rowKey: string; chunks: number; etag: string }> = [];
    for await (const entity of client.listEntities<{ chunks?: number }>({ queryOptions: { filter, select: ['RowKey', 'chunks'] } })) {
      old.push({ rowKey: String(entity.rowKey), chunks: Number(entity.chunks ?? 0), etag: entity.etag });
      if (old.length >= limit) break;
    }
    for (const { rowKey, chunks, etag } of old) {
      // The record first (as read: one being applied right now is left alone); without it the rows are unreachable.
      const deleted = await this.store.run((abortSignal) => client.deleteEntity(partition, rowKey, { etag, abortSignal })).then(() => true, () => false);
      if (!deleted) continue;
      await Promise.all(
        Array.from({ length: chunks }, (_, index) =>
          this.store.run((abortSignal) => client.deleteEntity(partition, escapeKey(chunkId(rowKey, index)), { abortSignal })).catch(() => undefined),
        ),
      );
    }
    return old.length;
  }
}
