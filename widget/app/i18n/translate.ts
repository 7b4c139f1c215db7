import en from '../../../i18n/en.json';
import es from '../../../i18n/es.json';
import pt from '../../../i18n/pt.json';
import ru from '../../../i18n/ru.json';

type Tree = { [key: string]: string | Tree };
const locales: Record<string, Tree> = { en, es, pt, ru };

export type Translate = (key: string, params?: Record<string, string | number>) => string;

function lookup(tree: Tree | undefined, key: string): string | undefined {
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** Strings a person sees come from i18n/*.json; `{name}` placeholders are filled from `params`. */
export function translator(language: string): Translate {
  const tree = locales[language.slice(0, 2).toLowerCase()] ?? en;
  return (key, params = {}) => {
    const text = lookup(tree, key) ?? lookup(en, key) ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}
