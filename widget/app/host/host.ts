import type { AppMessage, HostMessage } from '../../../contract/host-messages';

/** The app's one seam to Kommo: messages from and to the loader. */
export interface Host {
  /** Calls `listener` with each valid message from the loader; returns the unsubscribe function. */
  listen(listener: (message: HostMessage) => void): () => void;
  send(message: AppMessage): void;
}
