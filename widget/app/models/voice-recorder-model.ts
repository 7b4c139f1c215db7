import { signal } from '@preact/signals';

/** The part of MediaRecorder the voice recorder uses (a fake in tests). */
export interface RecorderLike {
  readonly mimeType: string;
  ondataavailable: ((e: { data: Blob }) => void) | null;
  onstop: (() => void) | null;
  start(timeslice?: number): void;
  stop(): void;
}

/** The browser's microphone and recorder, injected so tests can drive them. */
export interface VoiceMedia {
  microphone(): Promise<{ stop(): void; stream: MediaStream }>;
  recorder(stream: MediaStream, mimeType: string | undefined): RecorderLike;
  supports(mimeType: string): boolean;
}

/** Firefox records Ogg/Opus, which WhatsApp plays as it is; Chromium records WebM/Opus, which is moved into Ogg. */
const PREFERRED = ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus'];

export function browserMedia(): VoiceMedia | null {
  if (typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia) return null;
  return {
    async microphone() {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      return { stream, stop: () => stream.getTracks().forEach((t) => t.stop()) };
    },
    recorder: (stream, mimeType) => new MediaRecorder(stream, mimeType ? { mimeType } : undefined) as unknown as RecorderLike,
    supports: (type) => MediaRecorder.isTypeSupported(type),
  };
}

/** Opus in Ogg, as WhatsApp plays a voice note: kept when recorded so, moved out of WebM otherwise (decision 029). */
export async function asOggVoiceNote(recorded: Blob): Promise<File> {
  const type = recorded.type.split(';')[0]!.trim().toLowerCase();
  let bytes = new Uint8Array(await recorded.arrayBuffer());
  if (type !== 'audio/ogg') {
    const { webmToOgg } = await import(/* webpackChunkName: "voice" */ '../voice/webm-to-ogg');
    bytes = webmToOgg(bytes) as Uint8Array<ArrayBuffer>;
  }
  return new File([bytes], 'voice-note.ogg', { type: 'audio/ogg' });
}

/**
 * A voice note being recorded in the composer: start (asks for the microphone), a running timer,
 * cancel (nothing is kept), finish (the note as an Ogg/Opus file to send).
 */
export function createVoiceRecorder(deps: { media: VoiceMedia | null; now?: () => number }) {
  const now = deps.now ?? (() => Date.now());
  const state = signal<'idle' | 'recording' | 'finishing'>('idle');
  /** Seconds recorded so far. */
  const elapsed = signal(0);
  /** 'unsupported' (no MediaRecorder) or 'denied' (no microphone), for the view to say in its language. */
  const problem = signal<'unsupported' | 'denied' | 'failed' | null>(null);
  let current: { recorder: RecorderLike; chunks: Blob[]; stopMic: () => void; timer: ReturnType<typeof setInterval>; stopped: Promise<void> } | null = null;

  function end() {
    if (!current) return null;
    const taken = current;
    current = null;
    clearInterval(taken.timer);
    taken.recorder.stop();
    taken.stopMic();
    return taken;
  }

  return {
    state,
    elapsed,
    problem,
    available: deps.media !== null,

    async start(): Promise<void> {
      if (state.value !== 'idle') return;
      problem.value = null;
      if (!deps.media) {
        problem.value = 'unsupported';
        return;
      }
      let mic: Awaited<ReturnType<VoiceMedia['microphone']>>;
      try {
        mic = await deps.media.microphone();
      } catch {
        problem.value = 'denied';
        return;
      }
      const mimeType = PREFERRED.find((t) => deps.media!.supports(t));
      const recorder = deps.media.recorder(mic.stream, mimeType);
      const chunks: Blob[] = [];
      recorder.ondataavailable = (e) => {
        if (e.data.size) chunks.push(e.data);
      };
      const stopped = new Promise<void>((resolve) => (recorder.onstop = resolve));
      const started = now();
      elapsed.value = 0;
      const timer = setInterval(() => (elapsed.value = Math.floor((now() - started) / 1000)), 250);
      current = { recorder, chunks, stopMic: mic.stop, timer, stopped };
      recorder.start(250);
      state.value = 'recording';
    },

    /** Stops and throws the recording away. */
    cancel() {
      end();
      state.value = 'idle';
      elapsed.value = 0;
    },

    /** Stops and returns the note as Ogg/Opus, or null when nothing was recorded or it cannot be made one. */
    async finish(): Promise<File | null> {
      const taken = end();
      if (!taken) return null;
      state.value = 'finishing';
      try {
        await taken.stopped;
        if (!taken.chunks.length) return null;
        return await asOggVoiceNote(new Blob(taken.chunks, { type: taken.recorder.mimeType || taken.chunks[0]!.type }));
      } catch {
        problem.value = 'failed';
        return null;
      } finally {
        state.value = 'idle';
        elapsed.value = 0;
      }
    },
  };
}
export type VoiceRecorder = ReturnType<typeof createVoiceRecorder>;
