import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, messagesOf } from '../../test/whatsapp-helpers';
import { mediaProblem } from '../../../contract/media-rules';

// The smallest valid PNG (1×1).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('media rules', () => {
  it('when a file is of the wrong type, empty or too large for its kind, then it is named as such', () => {
    expect(mediaProblem('image', 'image/png', 10)).toBeNull();
    expect(mediaProblem('image', 'image/gif', 10)?.code).toBe('unsupported_media_type');
    expect(mediaProblem('image', 'image/jpeg', 6 * 1024 * 1024)?.code).toBe('media_too_large');
    expect(mediaProblem('document', 'application/pdf', 99 * 1024 * 1024)).toBeNull();
    expect(mediaProblem('audio', 'audio/ogg; codecs=opus', 100)).toBeNull();
    expect(mediaProblem('video', 'video/mp4', 0)?.code).toBe('empty_media');
  });
});

for (const kind of storeKinds()) {
  describe(`sending media (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });
    const upload = (auth: Record<string, string>, conversationId: string, bytes: Buffer, type: string, query: Record<string, string>) =>
      t.http.post(`/api/v1/conversations/${conversationId}/media`, bytes, { params: query, headers: { ...auth, 'Content-Type': type } });

    it('when an agent sends an image, a document, a voice note and a video, then each is uploaded and sent by media id with Meta’s wire body', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      const image = await upload(auth, conversation.id, PNG, 'image/png', { kind: 'image', caption: 'Your parcel' });
      expect(image.status).toBe(201);
      expect(image.data).toMatchObject({ type: 'image', content: { caption: 'Your parcel', mimeType: 'image/png', size: PNG.length } });
      const [mediaId] = [...t.fakeWhatsApp.media.keys()];
      expect(t.fakeWhatsApp.media.get(mediaId!)).toMatchObject({ mimeType: 'image/png' });
      expect(t.fakeWhatsApp.sent.at(-1)!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+5511912345678',
        type: 'image',
        image: { id: mediaId, caption: 'Your parcel' },
      });

      const pdf = await upload(auth, conversation.id, Buffer.from('%PDF-1.4 invoice'), 'application/pdf', { kind: 'document', filename: 'invoice-1001.pdf' });
      expect(pdf.status).toBe(201);
      expect(t.fakeWhatsApp.sent.at(-1)!.body).toMatchObject({ type: 'document', document: { filename: 'invoice-1001.pdf' } });
      const voice = await upload(auth, conversation.id, Buffer.from('OggS voice'), 'audio/ogg', { kind: 'audio', caption: 'ignored for audio' });
      expect(voice.status).toBe(201);
      expect(t.fakeWhatsApp.sent.at(-1)!.body).toEqual({
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '+5511912345678',
        type: 'audio',
        audio: { id: [...t.fakeWhatsApp.media.keys()].at(-1) },
      });
      const clip = await upload(auth, conversation.id, Buffer.from('mp4 clip'), 'video/mp4', { kind: 'video', caption: 'Unboxing' });
      expect(clip.status).toBe(201);
      expect(t.fakeWhatsApp.sent.at(-1)!.body).toMatchObject({ type: 'video', video: { caption: 'Unboxing' } });
      await t.settle();
      // A status that crossed its send's wamid is kept and applied by the stranded-status sweep, as the server's drain does.
      await t.inbox.applyStrandedStatuses();
      expect((await messagesOf(t, auth, conversation.id)).filter((m) => m.direction === 'out').map((m) => m.status)).toEqual(['read', 'read', 'read', 'read']);
    });

    it('when a customer sends a photo, then an agent of the account can open it; a text has no media', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      t.clock.advance(1000);
      await t.fakeWhatsApp.customerSendsImage(fakeNumber.phoneNumberId, '+5511912345678', PNG, 'The box arrived open');
      await t.settle();
      const [photo] = await messagesOf(t, auth, conversation.id);
      expect(photo).toMatchObject({ direction: 'in', type: 'image', content: { caption: 'The box arrived open', mime_type: 'image/jpeg' } });
      const file = await t.http.get(`/api/v1/messages/${photo!.id}/media`, { headers: auth, responseType: 'arraybuffer' });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toContain('image/jpeg');
      expect(file.headers['content-disposition']).toMatch(/^attachment;/);
      expect(file.headers['x-content-type-options']).toBe('nosniff');
      expect(Buffer.from(file.data).equals(PNG)).toBe(true);
      const text = (await messagesOf(t, auth, conversation.id)).find((m) => m.type === 'text')!;
      expect((await t.http.get(`/api/v1/messages/${text.id}/media`, { headers: auth })).status).toBe(404);
    });

    it('when an agent sent an image, then the agent can open it again (the same bytes, not 410)', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      const sent = await upload(auth, conversation.id, PNG, 'image/png', { kind: 'image' });
      expect(sent.status).toBe(201);
      const file = await t.http.get(`/api/v1/messages/${sent.data.id}/media`, { headers: auth, responseType: 'arraybuffer' });
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toContain('image/png');
      expect(Buffer.from(file.data).equals(PNG)).toBe(true);
    });

    it('when the file is of a type WhatsApp refuses or too large, then 415/413 and nothing is uploaded or sent', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      const gif = await upload(auth, conversation.id, Buffer.from('GIF89a'), 'image/gif', { kind: 'image' });
      expect(gif.status).toBe(415);
      expect(gif.data.error.code).toBe('unsupported_media_type');
      const big = await upload(auth, conversation.id, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg', { kind: 'image' });
      expect(big.status).toBe(413);
      expect(big.data.error.code).toBe('media_too_large');
      const wrongKind = await upload(auth, conversation.id, PNG, 'image/png', { kind: 'hologram' });
      expect(wrongKind.status).toBe(400);
      expect(t.fakeWhatsApp.media.size).toBe(0);
      expect(t.fakeWhatsApp.sent).toHaveLength(0);
    });
  });
}
