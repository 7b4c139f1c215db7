import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html';

describe('HTML escaping', () => {
  it('when text holds markup, quotes or ampersands, then none of them is left active and the rest is unchanged', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')"> & café`)).toBe('&#60;img src=x onerror=&#34;alert(&#39;1&#39;)&#34;&#62; &#38; café');
  });
});
