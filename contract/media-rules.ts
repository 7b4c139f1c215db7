/** What WhatsApp accepts per kind of media (reference/whatsapp-cloud-api.md §5). */
export const MEDIA_RULES = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * 1024 * 1024 },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * 1024 * 1024 },
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * 1024 * 1024 },
  document: {
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * 1024 * 1024,
  },
} as const;

export type MediaKind = keyof typeof MEDIA_RULES;

/** The reason a file cannot be sent as this kind, or null when it can. */
export function mediaProblem(
  kind: MediaKind,
  mimeType: string,
  size: number,
): { code: 'unsupported_media_type' | 'empty_media' | 'media_too_large'; message: string } | null {
  const rule = MEDIA_RULES[kind];
  const mime = mimeType.split(';')[0]!.trim().toLowerCase();
  if (!(rule.types as readonly string[]).includes(mime)) {
    return { code: 'unsupported_media_type', message: `WhatsApp does not accept ${mime || 'this file type'} as ${kind}; it takes ${rule.types.join(', ')}.` };
  }
  if (size === 0) return { code: 'empty_media', message: 'The file is empty.' };
  if (size > rule.maxBytes)
    return { code: 'media_too_large', message: `The file is ${(size / 1048576).toFixed(1)} MB; WhatsApp takes ${kind} up to ${rule.maxBytes / 1048576} MB.` };
  return null;
}
