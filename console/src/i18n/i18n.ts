// Vietnamese first (the IOC's working language), English on a switch; the choice is kept per
// browser. Messages are plain strings with {name} placeholders.
import { vi, type MessageKey } from './vi.js';
import { en } from './en.js';

export type Lang = 'vi' | 'en';
export type { MessageKey };
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const LANG_KEY = 'ioc.console.lang';
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { vi, en };

export function initialLang(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Not kept: the next visit starts in Vietnamese, the default.
  }
}

export function translator(lang: Lang): Translate {
  const dict = DICTIONARIES[lang];
  return (key, params) => {
    const text = dict[key] ?? vi[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m: string, name: string) => (name in params ? String(params[name]) : m));
  };
}
