import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';

/**
 * Streaming readers: a file is never read whole. Gzip is recognised by its magic bytes (not the name) and
 * decompressed on the fly.
 */

export function isGzip(path: string): boolean {
  const fd = fs.openSync(path, 'r');
  try {
    const magic = Buffer.alloc(2);
    const read = fs.readSync(fd, magic, 0, 2, 0);
    return read === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's bytes (decompressed when gzip), as a stream. */
export function openText(path: string): Readable {
  const file = fs.createReadStream(path);
  if (!isGzip(path)) return file;
  const gunzip = zlib.createGunzip();
  file.on('error', (error) => gunzip.destroy(error));
  // Closing the decompressor (early stop) must close the file too.
  gunzip.on('close', () => file.destroy());
  return file.pipe(gunzip);
}

const HEADER_PROBE_BYTES = 64 * 1024;
const HEADER_MAX_BYTES = 1024 * 1024;

/**
 * The first line of a file, read synchronously from its first bytes only (partial gzip is inflated with a sync
 * flush), so `openDataset` can check a header and fail fast before anything streams.
 */
export function readFirstLine(path: string): string {
  const gzip = isGzip(path);
  const fd = fs.openSync(path, 'r');
  try {
    let raw = Buffer.alloc(0);
    for (let position = 0; position < HEADER_MAX_BYTES; position += HEADER_PROBE_BYTES) {
      const chunk = Buffer.alloc(HEADER_PROBE_BYTES);
      const read = fs.readSync(fd, chunk, 0, HEADER_PROBE_BYTES, position);
      raw = Buffer.concat([raw, chunk.subarray(0, read)]);
      const text = (gzip ? zlib.gunzipSync(raw, { finishFlush: zlib.constants.Z_SYNC_FLUSH }) : raw).toString('utf8');
      const end = text.search(/\r?\n/);
      if (end >= 0 || read < HEADER_PROBE_BYTES) return (end >= 0 ? text.slice(0, end) : text).replace(/^\uFEFF/, '');
    }
    throw new Error(`${path}: no line break in the first ${HEADER_MAX_BYTES} bytes`);
  } finally {
    fs.closeSync(fd);
  }
}

/** The column names of a CSV file's header line. */
export function readCsvHeader(path: string): string[] {
  const line = readFirstLine(path);
  const [header] = parseSync(line, { relax_quotes: true, relax_column_count: true, bom: true }) as string[][];
  if (!header || header.every((name) => name.trim() === '')) throw new Error(`${path}: the file has no CSV header`);
  return header.map((name) => name.trim());
}

export interface CsvRecord {
  fields: string[];
  /** 1-based number of the record among the readable records after the header (not counting broken ones). */
  row: number;
}

/**
 * The records of a CSV file after its header, streamed. Rows that csv-parse cannot read at all (a broken quote)
 * are passed to `onMalformed` and skipped; rows with a wrong number of fields come through for the caller to judge.
 */
export async function* csvRecords(path: string, onMalformed: () => void): AsyncGenerator<CsvRecord> {
  const source = openText(path);
  const parser = source.pipe(
    parse({
      bom: true,
      from_line: 2,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: () => {
        onMalformed();
        return undefined;
      },
    }),
  );
  source.on('error', (error) => parser.destroy(error));
  try {
    // csv-parse's `info` option would give line numbers but doubles the parse time.
    let row = 0;
    for await (const fields of parser as AsyncIterable<string[]>) yield { fields, row: ++row };
  } finally {
    parser.destroy();
    source.destroy();
  }
}

export interface TextLine {
  text: string;
  /** 1-based line number. */
  line: number;
}

/** The lines of a text file (CRLF or LF), streamed. */
export async function* textLines(path: string): AsyncGenerator<TextLine> {
  const source = openText(path);
  const lines = readline.createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) yield { text, line: ++line };
  } finally {
    lines.close();
    source.destroy();
  }
}

/** Position of each wanted column in a header; `undefined` for an absent optional one. */
export function columnIndex(header: readonly string[], name: string): number | undefined {
  const exact = header.indexOf(name);
  if (exact >= 0) return exact;
  const folded = header.findIndex((column) => column.trim().toLowerCase() === name.trim().toLowerCase());
  return folded >= 0 ? folded : undefined;
}
