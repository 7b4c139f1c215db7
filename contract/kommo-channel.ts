import { z } from 'zod';

/** The account's native Kommo chat channel (SPEC §5), as the settings page shows it. */
export const KommoChannelView = z.object({
  /** Whether this Wabridge installation has a channel registered with Kommo (KOMMO_CHANNEL_* set). */
  available: z.boolean(),
  enabled: z.boolean(),
  /** What is due or done: connecting, connected, disconnecting, off. */
  state: z.enum(['connect', 'connected', 'disconnect', 'off']),
  lastError: z.string().nullable(),
});
export type KommoChannelView = z.infer<typeof KommoChannelView>;

export const UpdateKommoChannelInput = z.strictObject({ enabled: z.boolean() });
