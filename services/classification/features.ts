/** Text features: unicode-aware tokens, lower-cased, with word n-grams. */

const TOKEN = /[\p{L}\p{M}][\p{L}\p{M}\p{N}'’_-]*|\p{N}+(?:[.,]\p{N}+)*/gu;

/** Splits text into lower-cased word tokens (letters, digits; keeps inner apostrophes/hyphens). */
export function tokenize(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(TOKEN) ?? []).map((t) =>
    t.replace(/[’']/g, "'")
  );
}

/** Numbers carry little meaning by value: they collapse into shape classes. */
function shape(token: string): string {
  return /^\p{N}/u.test(token) ? (token.length >= 5 ? "#num5+" : `#num${token.length}`) : token;
}

/** Unigrams through `n`-grams of the text's tokens, as feature → count. */
export function features(text: string, n = 2): Map<string, number> {
  const tokens = tokenize(text).map(shape);
  const counts = new Map<string, number>();
  for (let i = 0; i < tokens.length; i++) {
    let gram = "";
    for (let j = 0; j < n && i + j < tokens.length; j++) {
      gram = j === 0 ? tokens[i]! : `${gram} ${tokens[i + j]}`;
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}
