import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

/** The sentence encoder `npm run nlp:model` stages (deploy/local/nlp-model.sh): all-MiniLM-L6-v2, int8 ONNX. */
export const SENTENCE_ENCODER = 'all-MiniLM-L6-v2';
/** Where it is staged unless TEXT_MODEL_DIR says otherwise (relative to the working directory). */
export const DEFAULT_TEXT_MODEL_DIR = 'models/text';
/** The file the staging script writes last, with each file's SHA-256: no manifest, no model. */
export const MANIFEST_FILE = 'MANIFEST.json';

const FILES = ['tokenizer.json', 'tokenizer_config.json', 'config.json', 'onnx/model.onnx'] as const;
/** The model was trained on 256 word pieces; longer texts are cut (the first 254 pieces + [CLS] + [SEP]). */
const MAX_TOKENS = 256;
const CLS = 101;
/**
 * Padded word pieces per forward pass at most (one text alone may have up to MAX_TOKENS). Small passes are faster on
 * this int8 model on a CPU: 41, 62, 81, 101, 114, 117 reviews/s at 4096, 2048, 1024, 512, 256, 128 (bench/review-text.ts).
 */
const MAX_BATCH_TOKENS = 256;
const SEP = 102;

export interface SentenceEncoder {
  readonly name: string;
  readonly dimensions: number;
  /** Unit-length mean-pooled embeddings, one per text, in order. */
  encode(texts: readonly string[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export type TextModelStatus =
  { ready: true; name: string; dir: string } | { ready: false; name: string; dir: string; reason: string };

interface Manifest {
  name: string;
  files: Record<string, string>;
}

/**
 * Whether the encoder is staged under `dir` and whole: the manifest names every file, and each file's SHA-256 is the
 * manifest's (a half-copied or edited model is refused, never half-used).
 */
export function textModelStatus(dir: string = DEFAULT_TEXT_MODEL_DIR): TextModelStatus {
  const root = resolve(dir, SENTENCE_ENCODER);
  const missing = (reason: string): TextModelStatus => ({ ready: false, name: SENTENCE_ENCODER, dir: root, reason });
  const manifestPath = join(root, MANIFEST_FILE);
  if (!existsSync(manifestPath)) return missing(`${manifestPath} is missing: run \`npm run nlp:model\``);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  } catch (error) {
    return missing(`${manifestPath} is not JSON (${(error as Error).message})`);
  }
  for (const file of FILES) {
    const want = manifest.files?.[file];
    if (!want) return missing(`${manifestPath} does not list ${file}`);
    const path = join(root, file);
    if (!existsSync(path)) return missing(`${path} is missing`);
    const have = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (have !== want) return missing(`${path} has SHA-256 ${have}, the manifest says ${want}`);
  }
  return { ready: true, name: SENTENCE_ENCODER, dir: root };
}

export interface EncoderOptions {
  /** Intra-op threads of the ONNX runtime (default 1: it would take every core otherwise). */
  threads?: number;
  /** Texts per forward pass (default 32). */
  batchSize?: number;
}

/** Loads the staged encoder; throws with the reason when it is not there or not whole. */
export async function loadSentenceEncoder(
  dir: string = DEFAULT_TEXT_MODEL_DIR,
  options: EncoderOptions = {},
): Promise<SentenceEncoder> {
  const status = textModelStatus(dir);
  if (!status.ready) throw new Error(`the sentence encoder is not available: ${status.reason}`);
  const read = (file: string) => JSON.parse(readFileSync(join(status.dir, file), 'utf8')) as object;
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const config = read('config.json') as { hidden_size?: number };
  const session = await ort.InferenceSession.create(join(status.dir, 'onnx/model.onnx'), {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  return new MiniLmEncoder(tokenizer, session, config.hidden_size ?? 384, options.batchSize ?? 32);
}

class MiniLmEncoder implements SentenceEncoder {
  readonly name = SENTENCE_ENCODER;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly session: ort.InferenceSession,
    readonly dimensions: number,
    private readonly batchSize: number,
  ) {}

  /** [CLS] + the text's word pieces (at most 254) + [SEP]. */
  private tokens(text: string): number[] {
    const pieces = this.tokenizer.encode(text, { add_special_tokens: false }).ids;
    return [CLS, ...pieces.slice(0, MAX_TOKENS - 2), SEP];
  }

  async encode(texts: readonly string[]): Promise<Float32Array[]> {
    const tokenized = texts.map((text) => this.tokens(text));
    // Shortest first, and a batch closes before its padded size (texts × the longest) passes MAX_BATCH_TOKENS: a short
    // review never pays for a long one's attention (a batch of 32 padded to 256 pieces costs ~4× one of mixed lengths).
    const order = tokenized.map((_, i) => i).sort((a, b) => tokenized[a].length - tokenized[b].length);
    const out = new Array<Float32Array>(texts.length);
    let batch: number[] = [];
    const flush = async () => {
      const embeddings = await this.forward(batch.map((i) => tokenized[i]));
      batch.forEach((i, k) => (out[i] = embeddings[k]));
      batch = [];
    };
    for (const i of order) {
      const longest = tokenized[i].length;
      if (batch.length > 0 && (batch.length >= this.batchSize || (batch.length + 1) * longest > MAX_BATCH_TOKENS))
        await flush();
      batch.push(i);
    }
    if (batch.length > 0) await flush();
    return out;
  }

  private async forward(batch: number[][]): Promise<Float32Array[]> {
    const length = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(batch.length * length);
    const mask = new BigInt64Array(batch.length * length);
    batch.forEach((tokens, row) =>
      tokens.forEach((id, column) => {
        ids[row * length + column] = BigInt(id);
        mask[row * length + column] = 1n;
      }),
    );
    const shape = [batch.length, length];
    const result = await this.session.run({
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch.length * length), shape),
    });
    const hidden = result.last_hidden_state.data as Float32Array;
    const width = this.dimensions;
    // Mean over the text's own tokens (not the padding), then unit length.
    return batch.map((tokens, row) => {
      const pooled = new Float32Array(width);
      for (let t = 0; t < tokens.length; t++) {
        const offset = (row * length + t) * width;
        for (let d = 0; d < width; d++) pooled[d] += hidden[offset + d];
      }
      let norm = 0;
      for (let d = 0; d < width; d++) norm += pooled[d] * pooled[d];
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < width; d++) pooled[d] /= norm;
      return pooled;
    });
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
