/** Text made safe inside HTML, in element content and in quoted attribute values alike: & < > " ' become numeric entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
