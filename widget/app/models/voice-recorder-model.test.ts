import { describe, expect, it, vi } from 'vitest';
import { createVoiceRecorder, type RecorderLike, type VoiceMedia } from './voice-recorder-model';

/** A microphone and recorder the test drives: `emit` hands the recorder a chunk, as the browser does every 250 ms. */
function fakeMedia(options: { supports?: string[]; deny?: boolean; chunk?: Blob } = {}) {
  const made: { mimeType: string | undefined; started: boolean; stopped: boolean }[] = [];
  let micStopped = 0;
  const media: VoiceMedia = {
    async microphone() {
      if (options.deny) throw new DOMException('denied', 'NotAllowedError');
      return { stream: {} as MediaStream, stop: () => micStopped++ };
    },
    recorder(_stream, mimeType) {
      const entry = { mimeType, started: false, stopped: false };
      made.push(entry);
      const r: RecorderLike = {
        mimeType: mimeType ?? '',
        ondataavailable: null,
        onstop: null,
        start: () => (entry.started = true),
        stop: () => {
          entry.stopped = true;
          if (options.chunk) r.ondataavailable?.({ data: options.chunk });
          r.onstop?.();
        },
      };
      return r;
    },
    supports: (type) => (options.supports ?? []).includes(type),
  };
  return { media, made, micStopped: () => micStopped };
}

describe('recording a voice note', () => {
  it('when the agent records for a while and sends, then the timer counts the seconds and the note comes out as Ogg, the microphone released', async () => {
    vi.useFakeTimers();
    try {
      let now = 0;
      const ogg = new Blob([Uint8Array.from([0x4f, 0x67, 0x67, 0x53, 1, 2, 3])], { type: 'audio/ogg;codecs=opus' });
      const fake = fakeMedia({ supports: ['audio/ogg;codecs=opus', 'audio/webm;codecs=opus'], chunk: ogg });
      const voice = createVoiceRecorder({ media: fake.media, now: () => now });
      await voice.start();
      expect(voice.state.value).toBe('recording');
      expect(fake.made[0]).toMatchObject({ mimeType: 'audio/ogg;codecs=opus', started: true });
      now = 65_400;
      vi.advanceTimersByTime(250);
      expect(voice.elapsed.value).toBe(65);
      const note = await voice.finish();
      expect(note).not.toBeNull();
      expect([note!.name, note!.type]).toEqual(['voice-note.ogg', 'audio/ogg']);
      expect([...new Uint8Array(await note!.arrayBuffer())]).toEqual([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]);
      expect(fake.micStopped()).toBe(1);
      expect([voice.state.value, voice.elapsed.value]).toEqual(['idle', 0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when the agent cancels, then nothing comes out and the microphone is released', async () => {
    const fake = fakeMedia({ supports: ['audio/webm;codecs=opus'], chunk: new Blob(['x'], { type: 'audio/webm' }) });
    const voice = createVoiceRecorder({ media: fake.media });
    await voice.start();
    expect(fake.made[0]!.mimeType).toBe('audio/webm;codecs=opus');
    voice.cancel();
    expect(await voice.finish()).toBeNull();
    expect([voice.state.value, fake.made[0]!.stopped, fake.micStopped()]).toEqual(['idle', true, 1]);
  });

  it('when the microphone is refused or the browser cannot record, then the agent is told which', async () => {
    const denied = createVoiceRecorder({ media: fakeMedia({ deny: true }).media });
    await denied.start();
    expect([denied.state.value, denied.problem.value]).toEqual(['idle', 'denied']);
    const none = createVoiceRecorder({ media: null });
    expect(none.available).toBe(false);
    await none.start();
    expect(none.problem.value).toBe('unsupported');
  });

  it('when a WebM recording is not Opus, then it is not sent and the agent is told it failed', async () => {
    const fake = fakeMedia({
      supports: ['audio/webm;codecs=opus'],
      chunk: new Blob([Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x80])], { type: 'audio/webm' }),
    });
    const voice = createVoiceRecorder({ media: fake.media });
    await voice.start();
    expect(await voice.finish()).toBeNull();
    expect(voice.problem.value).toBe('failed');
  });
});
