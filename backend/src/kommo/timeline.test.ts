import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';
import { chatReady, CUSTOMER } from '../../test/whatsapp-helpers';

for (const kind of storeKinds()) {
  describe(`the Kommo timeline (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when messages come and go, then each is written once to the contact’s timeline as sms_in / sms_out', async () => {
      t = await startTestApp(kind);
      const { auth, conversation } = await chatReady(t);
      await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Yes, today.' }, { headers: auth });
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.notes).toEqual([
        { entityType: 'contacts', entityId: 2001, noteType: 'sms_in', params: { text: 'Hello, is the order ready?', phone: '+5511912345678' } },
        { entityType: 'contacts', entityId: 2001, noteType: 'sms_out', params: { text: 'Yes, today.', phone: '+5511912345678' } },
      ]);
      expect(await t.timeline.drain()).toBe(0);
    });

    it('when Kommo answers 429 and then 500, then the notes are retried later and written exactly once', async () => {
      t = await startTestApp(kind);
      t.fake.failNotes.push(429, 500);
      const { fakeNumber } = await chatReady(t);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'Second');
      await t.settle();
      expect(t.fake.notes).toHaveLength(0);
      const [row] = await t.db.query<{ last_error: string; attempts: number }>(
        'select last_error, attempts from kommo_note_outbox order by attempts desc limit 1',
      );
      expect(row!.last_error).toContain('429');
      for (let i = 0; i < 4; i++) {
        t.clock.advance(10 * 60_000);
        await t.timeline.drain();
      }
      expect(t.fake.notes.map((n) => n.params.text).sort()).toEqual(['Hello, is the order ready?', 'Second']);
      t.clock.advance(3600_000);
      expect(await t.timeline.drain()).toBe(0);
      expect(t.fake.notes).toHaveLength(2);
    });

    it('when the customer opts out, an agent records the opt-in again, and a message fails, then each event is one extended_service_message on the contact', async () => {
      t = await startTestApp(kind);
      const { auth, conversation, fakeNumber } = await chatReady(t);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'STOP');
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, CUSTOMER, 'stop');
      await t.settle();
      const dana = (await t.session(31_000_001, 8_100_001)).auth;
      await t.http.post(`/api/v1/conversations/${conversation.id}/opt-in`, {}, { headers: dana });
      t.fakeWhatsApp.knobs.failNext = [131026];
      await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Are you there?' }, { headers: auth });
      await t.fakeWhatsApp.userPreference(fakeNumber.phoneNumberId, CUSTOMER, 'stop');
      await t.settle();
      await t.timeline.drain();
      const events = t.fake.notes.filter((n) => n.noteType === 'extended_service_message');
      expect(events.map((n) => [n.entityType, n.entityId, n.params.service])).toEqual(Array(4).fill(['contacts', 2001, 'Wabridge · WhatsApp']));
      // Written in any order (the clock stands still here); Kommo orders them by their time.
      expect(events.map((n) => n.params.text).sort()).toEqual(
        [
          'The customer opted out of WhatsApp broadcasts (wrote “STOP”).',
          'Dana Admin recorded that the customer agreed to receive broadcasts again.',
          'WhatsApp refused a message — Error: Forced by the fake. (code 131026).',
          'The customer stopped marketing messages from this business in WhatsApp.',
        ].sort(),
      );
      expect(await t.timeline.drain()).toBe(0);
    });

    it('when a message fails after it was accepted, then the reason is noted on the contact’s timeline', async () => {
      t = await startTestApp(kind);
      const { conversation } = await chatReady(t);
      t.fakeWhatsApp.knobs.windowFailure = 'async';
      t.clock.advance(25 * 3600_000);
      await t.fakeWhatsApp.idle();
      const fresh = (await t.session(31_000_001, 8_100_001)).auth;
      await t.db.query(`update conversations set last_inbound_at = $1`, [t.clock.now()]);
      await t.http.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Late' }, { headers: fresh });
      await t.settle();
      await t.timeline.drain();
      const events = t.fake.notes.filter((n) => n.noteType === 'extended_service_message');
      expect(events).toHaveLength(1);
      expect(String(events[0]!.params.text)).toMatch(
        /^WhatsApp message not delivered — Re-engagement message: Message failed to send because more than 24 hours have passed.* \(code 131047\)\.$/,
      );
    });

    it('when no Kommo contact has the phone, then the note is dropped with the reason, not retried forever', async () => {
      t = await startTestApp(kind);
      const { fakeNumber } = await chatReady(t, { customerWrites: false });
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, '+4915112345678', 'Hallo');
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.notes).toHaveLength(0);
      const [row] = await t.db.query<{ done_at: Date | null; last_error: string }>('select done_at, last_error from kommo_note_outbox');
      expect(row).toMatchObject({ last_error: 'no Kommo contact has this phone' });
      expect(row!.done_at).not.toBeNull();
    });
  });
}

for (const kind of storeKinds()) {
  describe(`unknown numbers (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    it('when the admin turned on automatic creation on Kommo Advanced, then an unknown number gets a contact and a lead, with the note on it', async () => {
      t = await startTestApp(kind);
      const { fakeNumber } = await chatReady(t, { customerWrites: false });
      const { auth } = await t.session(31_000_001, 8_100_001);
      await t.http.post(
        '/api/v1/session',
        { kommoPlan: { name: 'Advanced' } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(31_000_001, 8_100_001) } },
      );
      expect((await t.http.patch('/api/v1/settings', { autoCreateFromInbound: true }, { headers: auth })).status).toBe(200);
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, '+4915112345678', 'Hallo, do you ship to Berlin?', { name: 'Jonas Weber' });
      await t.settle();
      await t.timeline.drain();
      const account = t.fake.accounts.get(31_000_001)!;
      const contact = account.contacts.find((c) => c.phones.includes('+4915112345678'));
      expect(contact).toMatchObject({ name: 'Jonas Weber' });
      expect(account.leads.find((l) => l.contactIds.includes(contact!.id))).toMatchObject({ name: 'WhatsApp: Jonas Weber' });
      expect(t.fake.notes).toEqual([
        { entityType: 'contacts', entityId: contact!.id, noteType: 'sms_in', params: { text: 'Hallo, do you ship to Berlin?', phone: '+4915112345678' } },
      ]);
    });

    it('when the Kommo plan is Base, then nothing is created even if the setting was on before', async () => {
      t = await startTestApp(kind);
      const { fakeNumber } = await chatReady(t, { customerWrites: false });
      const { auth } = await t.session(31_000_001, 8_100_001);
      await t.http.post(
        '/api/v1/session',
        { kommoPlan: { name: 'Advanced' } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(31_000_001, 8_100_001) } },
      );
      await t.http.patch('/api/v1/settings', { autoCreateFromInbound: true }, { headers: auth });
      await t.http.post(
        '/api/v1/session',
        { kommoPlan: { name: 'Base' } },
        { headers: { 'X-Auth-Token': await t.fake.mintDisposableToken(31_000_001, 8_100_001) } },
      );
      const before = t.fake.accounts.get(31_000_001)!.contacts.length;
      await t.fakeWhatsApp.customerWrites(fakeNumber.phoneNumberId, '+4915112345678', 'Hallo');
      await t.settle();
      await t.timeline.drain();
      expect(t.fake.accounts.get(31_000_001)!.contacts.length).toBe(before);
      expect(t.fake.notes).toHaveLength(0);
    });
  });
}
