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

const PLURAL_FORMS = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

/** A text with plural forms: `{ "one": "…", "other": "…" }` and the forms its language needs (ru: few, many). */
export function isPluralForms(node: unknown): node is Record<string, string> {
  return !!node && typeof node === 'object' && 'other' in node && Object.keys(node).every((k) => PLURAL_FORMS.has(k));
}

function lookup(tree: Tree | undefined, key: string): string | Tree | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return node;
}

/**
 * Strings a person sees come from i18n/*.json (every language has every key: a test checks it);
 * `{name}` placeholders are filled from `params`. A text with plural forms takes the form
 * `Intl.PluralRules` picks for `params.count` in `language` ("1 recipient", "2 recipients", "5 получателей").
 */
export function translator(strings: Strings, language = 'en'): Translate {
  let rules: Intl.PluralRules | undefined;
  return (key, params = {}) => {
    const node = lookup(strings, key);
    let text = typeof node === 'string' ? node : undefined;
    if (isPluralForms(node)) {
      rules ??= new Intl.PluralRules(language);
      text = typeof params.count === 'number' ? (node[rules.select(params.count)] ?? node.other) : node.other;
    }
    return (text ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
