/**
 * A stored message in words, in English: the Kommo timeline note and the broadcast reply note. The
 * widget renders the same kinds in the agent's language (widget/app/components/MessageContent.tsx).
 */
export function messageText(type: string, content: Record<string, unknown>): string {
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  const quoted = (v: unknown) => `“${s(v)}”`;
  switch (type) {
    case 'text':
      return s(content.body);
    case 'template': {
      const values = Array.isArray(content.parameters) ? content.parameters.join(', ') : '';
      return `Template ${s(content.name)}${values ? `: ${values}` : ''}`;
    }
    case 'button':
      return `Tapped the button ${quoted(content.text || content.payload)}`;
    case 'interactive': {
      const reply = (content.button_reply ?? content.list_reply ?? content.nfm_reply) as Record<string, unknown> | undefined;
      const detail = reply && s(reply.description) ? ` (${s(reply.description)})` : '';
      return content.type === 'list_reply' ? `Chose ${quoted(reply?.title)}${detail} from a list` : `Tapped the button ${quoted(reply?.title ?? reply?.name)}`;
    }
    case 'reaction':
      return s(content.emoji) ? `Reacted ${s(content.emoji)} to a message` : 'Removed a reaction';
    case 'location': {
      const place = [s(content.name), s(content.address)].filter(Boolean).join(', ');
      return `Location${place ? `: ${place}` : ''} ${mapLink(content)}`;
    }
    case 'contacts': {
      const list = Array.isArray(content.contacts) ? (content.contacts as { name?: { formatted_name?: string }; phones?: { phone?: string }[] }[]) : [];
      return `Contact: ${list.map((c) => [c.name?.formatted_name, ...(c.phones ?? []).map((p) => p.phone)].filter(Boolean).join(' ')).join('; ')}`;
    }
    case 'system':
      return s(content.body) || 'The customer’s WhatsApp account changed.';
    case 'unsupported': {
      const error = (Array.isArray(content.errors) ? content.errors[0] : undefined) as { title?: string; error_data?: { details?: string } } | undefined;
      return `Unsupported message${error ? `: ${error.error_data?.details ?? error.title ?? ''}` : ''}`;
    }
    default:
      return `[${type}]${s(content.caption) ? ` ${s(content.caption)}` : s(content.filename) ? ` ${s(content.filename)}` : ''}`;
  }
}

/** A map at the shared place (OpenStreetMap: no key, no tracking). */
export function mapLink(content: Record<string, unknown>): string {
  return `https://www.openstreetmap.org/?mlat=${Number(content.latitude)}&mlon=${Number(content.longitude)}#map=17/${Number(content.latitude)}/${Number(content.longitude)}`;
}
