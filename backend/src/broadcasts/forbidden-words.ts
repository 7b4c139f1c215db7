/**
 * Words a broadcast may not contain (SPEC §6), per locale: the defaults below, or a deployment's own
 * list (FORBIDDEN_WORDS). They target what gets numbers flagged for spam or breaks Meta's Commerce
 * and Business Messaging policies: gambling, adult content, miracle cures, get-rich-quick claims.
 */
export const DEFAULT_FORBIDDEN_WORDS: Record<string, string[]> = {
  en: ['casino', 'jackpot', 'viagra', 'xxx', 'get rich quick', 'guaranteed income', 'miracle cure', 'bitcoin doubler', 'payday loan', 'free money'],
  es: ['casino', 'apuestas', 'viagra', 'xxx', 'dinero fácil', 'ingresos garantizados', 'cura milagrosa', 'préstamo rápido', 'dinero gratis'],
  pt: ['cassino', 'apostas', 'viagra', 'xxx', 'dinheiro fácil', 'renda garantida', 'cura milagrosa', 'empréstimo rápido', 'dinheiro grátis'],
  ru: ['казино', 'ставки', 'виагра', 'xxx', 'лёгкие деньги', 'гарантированный доход', 'чудо-средство', 'быстрый займ', 'бесплатные деньги'],
};

const fold = (text: string) => text.normalize('NFKC').toLocaleLowerCase().replace(/ё/g, 'е');

/**
 * The forbidden words found in `texts`, as listed. The list is the template language's (its first
 * two letters) together with English, which every account's customers may read; a word matches as a
 * whole word or phrase, in any case.
 */
export function findForbiddenWords(texts: string[], language: string, lists: Record<string, string[]> = DEFAULT_FORBIDDEN_WORDS): string[] {
  return forbiddenWordsFinder(language, lists)(texts);
}

/** `findForbiddenWords` with the language's patterns built once, for checking many recipients' values. */
export function forbiddenWordsFinder(language: string, lists: Record<string, string[]> = DEFAULT_FORBIDDEN_WORDS): (texts: string[]) => string[] {
  const locale = language.slice(0, 2).toLowerCase();
  const words = [...new Set([...(lists[locale] ?? []), ...(locale === 'en' ? [] : (lists.en ?? []))])];
  const patterns = words.map((word) => ({ word, pattern: new RegExp(`(^|[^\\p{L}\\p{N}])${escape(fold(word))}($|[^\\p{L}\\p{N}])`, 'u') }));
  return (texts) => {
    const haystack = fold(texts.join('\n'));
    return patterns.filter((p) => p.pattern.test(haystack)).map((p) => p.word);
  };
}

/** A link as words: "https://cdn.example.com/free-money_casino.jpg" reads "https cdn example com free money casino jpg". */
export function linkText(link: string): string {
  let text = link;
  try {
    text = decodeURIComponent(link);
  } catch {
    // A malformed escape: the link's characters as they are.
  }
  return text.replace(/[^\p{L}\p{N}]+/gu, ' ');
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
