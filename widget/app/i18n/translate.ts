type Tree = { [key: string]: string | Tree };
export type Strings = Tree;

// Each language is its own chunk: the card loads the one its agent reads, not all four.
const locales: Record<string, () => Promise<{ default: Tree }>> = {
  en: () => import(/* webpackChunkName: "i18n-en" */ '../../../i18n/en.json'),
  es: () => import(/* webpackChunkName: "i18n-es" */ '../../../i18n/es.json'),
  pt: () => import(/* webpackChunkName: "i18n-pt" */ '../../../i18n/pt.json'),
  ru: () => import(/* webpackChunkName: "i18n-ru" */ '../../../i18n/ru.json'),
};

/** The strings of `language` (its first two letters), or English's for a language we do not have. */
export async function loadStrings(language: string): Promise<Strings> {
  const load = locales[language.slice(0, 2).toLowerCase()] ?? locales.en!;
  return (await load()).default;
}

export type Translate = (key: string, params?: Record<string, string | number>) => string;

function lookup(tree: Tree | undefined, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/**
 * Strings a person sees come from i18n/*.json (every language has every key: a test checks it);
 * `{name}` placeholders are filled from `params`.
 */
export function translator(strings: Strings): Translate {
  return (key, params = {}) => {
    const text = lookup(strings, key) ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
