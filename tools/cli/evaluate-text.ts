import { Command, InvalidArgumentError } from 'commander';
import { LABELLED_REVIEW_FORMATS, readLabelledReviews, type LabelledReviewFormat } from '@cvp/datasets';
import { textSentiment } from '@cvp/features';
import { evaluateTextModels, type TextEvaluation } from '@cvp/text';
import { DEFAULT_TEXT_MODEL_DIR, loadSentenceEncoder, textModelStatus } from '@cvp/text-encoder';

interface EvaluateTextOptions {
  data: string;
  format: LabelledReviewFormat;
  modelDir: string;
  threads: number;
  json?: boolean;
}

const stderr = (line: string) => process.stderr.write(`${line}\n`);

const reviewFormat = (value: string): LabelledReviewFormat => {
  if (!(LABELLED_REVIEW_FORMATS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${LABELLED_REVIEW_FORMATS.join(', ')}`);
  }
  return value as LabelledReviewFormat;
};

const threadCount = (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 64) throw new InvalidArgumentError('must be 1..64');
  return parsed;
};

export async function evaluateText(options: EvaluateTextOptions): Promise<TextEvaluation> {
  const set = await readLabelledReviews(options.data, options.format);
  const dropped = Object.entries(set.dropped).map(([reason, n]) => `${reason} ${n}`);
  stderr(
    `[evaluate-text] ${set.reviews.length} reviews from ${set.rows} rows of ${options.data}` +
      (dropped.length > 0 ? ` (left out: ${dropped.join(', ')})` : ''),
  );
  if (set.reviews.length < 10)
    throw new Error(`${options.data}: ${set.reviews.length} reviews are too few to evaluate`);
  const status = textModelStatus(options.modelDir);
  if (!status.ready) {
    stderr(`[evaluate-text] no sentence encoder (${status.reason}): the words-only head is what would be served`);
    return evaluateTextModels({ reviews: set.reviews, lexicon: (text) => textSentiment(text) });
  }
  const encoder = await loadSentenceEncoder(options.modelDir, { threads: options.threads });
  try {
    const started = Date.now();
    const vectors = await encoder.encode(set.reviews.map((review) => review.text));
    const seconds = (Date.now() - started) / 1000;
    stderr(
      `[evaluate-text] ${encoder.name} encoded ${vectors.length} reviews in ${seconds.toFixed(1)} s ` +
        `(${(vectors.length / seconds).toFixed(0)}/s on ${options.threads} thread${options.threads > 1 ? 's' : ''})`,
    );
    return evaluateTextModels({
      reviews: set.reviews,
      lexicon: (text) => textSentiment(text),
      embeddings: new Map(set.reviews.map((review, i) => [review.id, vectors[i]])),
      encoder: { name: encoder.name, dimensions: encoder.dimensions },
    });
  } finally {
    await encoder.close();
  }
}

function formatTable(result: TextEvaluation): string {
  const rows = Object.entries(result.models).map(
    ([name, m]) =>
      `| ${name === result.served ? `${name} (served)` : name} | ${m.macroF1.toFixed(3)} | ${m.accuracy.toFixed(3)} | ` +
      `${m.auc.toFixed(3)} | ${m.spearman.toFixed(3)} |`,
  );
  return [
    `${result.reviews} reviews: ${result.train} train, ${result.test} test`,
    '',
    '| model | 3-class macro-F1 | 3-class accuracy | binary ROC-AUC | Spearman with stars |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

export function registerEvaluateText(program: Command): void {
  program
    .command('evaluate-text')
    .description(
      'review sentiment on a fixed 20% hold-out: the served head (sentence encoder + words) beside the lexicon and the classic peers',
    )
    .requiredOption('--data <path>', 'Amazon review JSON Lines (file or folder), or a CSV with id,rating,text')
    .requiredOption('--format <name>', LABELLED_REVIEW_FORMATS.join(' | '), reviewFormat)
    .option('--model-dir <dir>', 'where `npm run nlp:model` staged the encoder', DEFAULT_TEXT_MODEL_DIR)
    .option('--threads <n>', 'encoder threads', threadCount, 1)
    .option('--json', 'print one JSON object on stdout (logs on stderr)')
    .action(async (options: EvaluateTextOptions) => {
      const result = await evaluateText(options);
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else console.log(formatTable(result));
    });
}
