import { describe, expect, it } from 'vitest';
import { appPage } from './widget-routes';

const built = { app: 'a1b2c3d4e5f6', css: '0f9e8d7c6b5a', locales: { en: 'i18n-en.75454953.js', es: 'i18n-es.3e5cc19b.js' } };

describe('the widget page', () => {
  it('when the build is known, then the page names app.js and app.css by their content and asks for the language’s strings with it', () => {
    const page = appPage('es', 'dark', built);
    expect(page).toContain('<link rel="stylesheet" href="/widget/app.css?v=0f9e8d7c6b5a">');
    expect(page).toContain('<script src="/widget/app.js?v=a1b2c3d4e5f6" defer></script>');
    expect(page).toContain('<link rel="preload" href="/widget/i18n-es.3e5cc19b.js" as="script">');
  });

  it('when the language has no strings of its own, then English is preloaded (what the app falls back to); with no build, the page still loads the app', () => {
    expect(appPage('de', 'light', built)).toContain('href="/widget/i18n-en.75454953.js" as="script"');
    const unbuilt = appPage('en', 'light', null);
    expect(unbuilt).toContain('<script src="/widget/app.js" defer></script>');
    expect(unbuilt).not.toContain('rel="preload"');
  });
});
