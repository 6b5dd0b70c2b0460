/**
 * Word context for the letter/digit look-alikes. In isolation 0/O, 1/I, 5/S,
 * 2/Z and 8/B are ambiguous to any classifier (the project's field notes),
 * but a word of two or more characters is nearly always all letters or all
 * digits. So the word's kind is decided by its characters' combined
 * probability mass (the sum over characters of log P(letter) against
 * log P(digit)), and a character whose best class is of the other kind is
 * replaced by its best class of the word's kind, if the classifier gives that
 * class at least `minProbability`. A lone character has no context and keeps
 * its best class.
 *
 * @module
 */

/** Options of {@linkcode chooseCharacters}. */
export interface ChooseCharactersOptions {
  /** Class names in output order. */
  classes: string;
  /** Apply word context (default true); without it each character is its best class. */
  context?: boolean;
  /** Smallest probability of a same-kind class that may replace the best class (default 0.01). */
  minProbability?: number;
}

const isDigit = (c: string) => c >= "0" && c <= "9";

/**
 * The characters of one word from its rows of class probabilities (one row
 * per character, left to right).
 */
export function chooseCharacters(
  rows: readonly ArrayLike<number>[],
  options: ChooseCharactersOptions,
): string[] {
  const { classes } = options;
  const best = (row: ArrayLike<number>, digits?: boolean) => {
    let pick = -1;
    for (let i = 0; i < row.length; i++) {
      if (digits !== undefined && isDigit(classes[i]) !== digits) continue;
      if (pick < 0 || row[i] > row[pick]) pick = i;
    }
    return pick;
  };
  const plain = rows.map((row) => best(row));
  if (options.context === false || rows.length < 2) return plain.map((i) => classes[i]);
  let digitScore = 0;
  for (const row of rows) {
    let digitMass = 0;
    for (let i = 0; i < row.length; i++) if (isDigit(classes[i])) digitMass += row[i];
    const clamp = (p: number) => Math.min(Math.max(p, 1e-9), 1 - 1e-9);
    digitScore += Math.log(clamp(digitMass)) - Math.log(clamp(1 - digitMass));
  }
  const digits = digitScore > 0;
  const minProbability = options.minProbability ?? 0.01;
  return rows.map((row, k) => {
    if (isDigit(classes[plain[k]]) === digits) return classes[plain[k]];
    const twin = best(row, digits);
    return twin >= 0 && row[twin] >= minProbability ? classes[twin] : classes[plain[k]];
  });
}
