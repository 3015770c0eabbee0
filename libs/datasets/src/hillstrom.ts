import { parse } from 'csv-parse';
import { openText } from './lib/files';

/**
 * A randomised marketing trial: per customer, features known before the campaign, the action they were randomly
 * given ('none' for the control group) and the outcomes measured after it.
 */
export interface RandomisedTrial {
  featureNames: string[];
  features: number[][];
  arm: string[];
  /** Outcome name -> value per row. */
  outcomes: Record<string, number[]>;
}

export const UPLIFT_TRIAL_FORMATS = ['hillstrom'] as const;
export type UpliftTrialFormat = (typeof UPLIFT_TRIAL_FORMATS)[number];

/** The Hillstrom arms as CVP's actions. */
export const HILLSTROM_ARMS: Readonly<Record<string, string>> = {
  'Mens E-Mail': 'mens',
  'Womens E-Mail': 'womens',
  'No E-Mail': 'none',
};

const HILLSTROM_COLUMNS = ['recency', 'history', 'mens', 'womens', 'zip_code', 'newbie', 'channel', 'segment'];
const ZIP_CODES = ['Rural', 'Surburban', 'Urban'];
const CHANNELS = ['Multichannel', 'Phone', 'Web'];

/**
 * Kevin Hillstrom's MineThatData e-mail trial (64,000 customers; CSV with a header, quoted fields may hold commas).
 * Features, in order: recency, history, mens, womens, newbie, zip_code one-hot (Rural, Surburban, Urban), channel
 * one-hot (Multichannel, Phone, Web); `history_segment` is a binning of `history` and is left out. Outcomes: visit,
 * conversion, spend. A row that does not parse is an error naming its line: a trial is not read in part.
 */
export async function readHillstrom(path: string): Promise<RandomisedTrial> {
  const trial: RandomisedTrial = {
    featureNames: [
      'recency',
      'history',
      'mens',
      'womens',
      'newbie',
      ...ZIP_CODES.map((zip) => `zip_${zip}`),
      ...CHANNELS.map((channel) => `channel_${channel}`),
    ],
    features: [],
    arm: [],
    outcomes: { visit: [], conversion: [], spend: [] },
  };
  const records = openText(path).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }));
  let line = 1;
  for await (const record of records as AsyncIterable<Record<string, string>>) {
    line++;
    const where = `${path}: line ${line}`;
    if (line === 2) {
      const missing = [...HILLSTROM_COLUMNS, 'visit', 'conversion', 'spend'].filter((column) => !(column in record));
      if (missing.length) throw new Error(`${path}: not a Hillstrom file (no ${missing.join(', ')} column)`);
    }
    const number = (column: string, check: (value: number) => boolean = Number.isFinite) => {
      const value = Number(record[column]);
      if (record[column].trim() === '' || !check(value))
        throw new Error(`${where}: ${column} "${record[column]}" is not valid`);
      return value;
    };
    const flag = (column: string) => number(column, (value) => value === 0 || value === 1);
    const oneHot = (column: string, values: string[]) => {
      if (!values.includes(record[column]))
        throw new Error(`${where}: ${column} "${record[column]}" is not one of ${values.join(', ')}`);
      return values.map((value) => (record[column] === value ? 1 : 0));
    };
    const arm = HILLSTROM_ARMS[record.segment];
    if (arm === undefined) throw new Error(`${where}: segment "${record.segment}" is not a Hillstrom arm`);
    trial.features.push([
      number('recency', (value) => value >= 0),
      number('history', (value) => value >= 0),
      flag('mens'),
      flag('womens'),
      flag('newbie'),
      ...oneHot('zip_code', ZIP_CODES),
      ...oneHot('channel', CHANNELS),
    ]);
    trial.arm.push(arm);
    trial.outcomes.visit.push(flag('visit'));
    trial.outcomes.conversion.push(flag('conversion'));
    trial.outcomes.spend.push(number('spend', (value) => value >= 0));
  }
  if (trial.arm.length === 0) throw new Error(`${path}: no rows`);
  return trial;
}

/**
 * The test rows of the published Hillstrom protocol: key(i) = imul(i + 7, 2654435761) >>> 0; strata (segment,
 * visit + conversion); in each stratum of n rows, the ⌊(3n + 5)/10⌋ with the smallest keys (ties: lower row) are test.
 */
export function hillstromTestRows(trial: RandomisedTrial): boolean[] {
  const strata = new Map<string, number[]>();
  trial.arm.forEach((arm, i) => {
    const stratum = `${arm}|${trial.outcomes.visit[i] + trial.outcomes.conversion[i]}`;
    const rows = strata.get(stratum);
    if (rows) rows.push(i);
    else strata.set(stratum, [i]);
  });
  const key = (i: number) => Math.imul(i + 7, 2654435761) >>> 0;
  const test = trial.arm.map(() => false);
  for (const rows of strata.values()) {
    const take = Math.floor((3 * rows.length + 5) / 10);
    [...rows]
      .sort((a, b) => key(a) - key(b) || a - b)
      .slice(0, take)
      .forEach((i) => (test[i] = true));
  }
  return test;
}
