import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, runEngine, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { storeKinds } from '../../test/stores';

/**
 * SPEC §6: each recipient gets a broadcast message once. An instance that stalls (a long pause) loses
 * its lease on the number; another instance may then queue its claimed recipients again.
 */
for (const kind of storeKinds()) {
  describe(`an instance that stalls while sending a broadcast (${kind})`, () => {
    let t: TestApp;
    afterEach(async () => {
      await t?.close();
    });

    async function launched(size: number) {
      t = await startTestApp(kind, { accounts: [accountWithAudience(size)] });
      const { auth, numbers } = await broadcastReady(t);
      const ids = Array.from({ length: size }, (_, i) => 10_001 + i);
      const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, ids), { headers: auth })).data;
      expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: size }, { headers: auth })).data.status).toBe('running');
      return { auth, broadcastId: draft.id as string };
    }
    const templatesTo = () => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid).map((s) => s.body.to);

    it('when its lease on the number ran out between claiming recipients and their turn to send, then none is sent then, and each is sent once later', async () => {
      await launched(3);
      // The instance stalls right after its claim: by the recipients' turn, its lease (10 s) is long over.
      let stalled = false;
      t.faults.beforeStatement = async (sql) => {
        if (stalled || !/state = case when due\.opted_out/.test(sql)) return;
        stalled = true;
        t.clock.advance(60_000);
      };
      await t.broadcastEngine.tick();
      t.faults.beforeStatement = undefined;

      expect(stalled).toBe(true);
      // Sent now, they could be sent again by another instance reconciling the claims it lost.
      expect(templatesTo()).toEqual([]);
      expect(await t.db.query('select state, attempts from broadcast_recipients order by seq')).toEqual(
        Array.from({ length: 3 }, () => ({ state: 'queued', attempts: 0 })),
      );
      await runEngine(t);
      expect(templatesTo().sort()).toEqual([1, 2, 3].map((i) => `+${waIdOf(i)}`));
    });

    it('when the round’s reads before its claim take longer than the lease, then its sends still go out, under a lease taken right before the claim', async () => {
      await launched(3);
      // Counting the number's sends of the day takes a minute (a loaded database).
      let slow = false;
      t.faults.beforeStatement = async (sql) => {
        if (slow || !/select count\(\*\) as n from broadcast_recipients where number_id/.test(sql)) return;
        slow = true;
        t.clock.advance(60_000);
      };
      await t.broadcastEngine.tick();
      t.faults.beforeStatement = undefined;
      expect(slow).toBe(true);
      expect(templatesTo().sort()).toEqual([1, 2, 3].map((i) => `+${waIdOf(i)}`));
    });

    it('when its send is accepted after the recipient was queued again by another instance, then the recipient is recorded sent with that message and not sent twice', async () => {
      const { auth, broadcastId } = await launched(1);
      // Meta accepts the send, but while it answers, another instance finds the claim stale and queues it again.
      let requeued = false;
      t.fakeWhatsApp.knobs.beforeAnswer = async () => {
        if (requeued) return;
        requeued = true;
        await t.db.query(`update broadcast_recipients set state = 'queued', claimed_by = null`);
      };
      await t.broadcastEngine.tick();
      t.fakeWhatsApp.knobs.beforeAnswer = undefined;
      expect(requeued).toBe(true);

      await runEngine(t);
      const [sent] = t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid);
      expect(templatesTo()).toEqual([`+${waIdOf(1)}`]);
      expect(await t.db.query('select state, wamid from broadcast_recipients')).toEqual([{ state: 'sent', wamid: sent!.wamid }]);
      const view = (await t.http.get(`/api/v1/broadcasts/${broadcastId}`, { headers: auth })).data;
      expect(view).toMatchObject({ status: 'completed' });
      // The message is in the customer's chat, as every broadcast message is.
      expect(await t.db.query("select wamid from messages where type = 'template'")).toEqual([{ wamid: sent!.wamid }]);
    });

    /** Messages counted against the account's allowance. */
    const used = async () => Number((await t.db.query<{ n: string }>('select sum(messages_used) as n from licence_periods'))[0]!.n);
    /** The one template Meta accepted. */
    const accepted = () => t.fakeWhatsApp.sent.filter((s) => s.body.type === 'template' && s.wamid)[0]!;

    /** The admin cancels; past the lease, the reconciliation cancels the unanswered recipient and gives its message back. */
    async function cancelAndGiveUp(auth: Record<string, string>, broadcastId: string) {
      expect((await t.http.post(`/api/v1/broadcasts/${broadcastId}/cancel`, {}, { headers: auth })).data.status).toBe('cancelled');
      t.clock.advance(10 * 60_000);
      await t.broadcastEngine.reconcile();
    }

    /** The message went out: the recipient is sent as it, the chat shows it, and the allowance counts it once. */
    async function recordedSent(reserved: number) {
      const { wamid } = accepted();
      expect(await t.db.query('select state, wamid from broadcast_recipients')).toEqual([{ state: 'sent', wamid }]);
      expect(await t.db.query("select wamid from messages where type = 'template'")).toEqual([{ wamid }]);
      expect(await used()).toBe(reserved);
    }

    it('when its broadcast is cancelled and its claim given up while Meta accepts its send, then the recipient is recorded sent with its chat message and the message stays counted', async () => {
      const { auth, broadcastId } = await launched(1);
      const reserved = await used();
      // While Meta answers, the admin cancels the broadcast, and (this instance seeming stalled past its
      // lease) the reconciliation cancels the recipient and gives its message back to the allowance.
      let cancelled = false;
      t.fakeWhatsApp.knobs.beforeAnswer = async () => {
        if (cancelled) return;
        cancelled = true;
        await cancelAndGiveUp(auth, broadcastId);
        expect(await t.db.query('select state from broadcast_recipients')).toEqual([{ state: 'cancelled' }]);
        expect(await used()).toBe(reserved - 1);
      };
      await t.broadcastEngine.tick();
      t.fakeWhatsApp.knobs.beforeAnswer = undefined;
      await t.settle();
      expect(cancelled).toBe(true);

      await recordedSent(reserved);
      expect((await t.http.get(`/api/v1/broadcasts/${broadcastId}`, { headers: auth })).data).toMatchObject({ status: 'cancelled' });
    });

    it('when its broadcast is cancelled after its send was accepted but before it was recorded, then Meta’s status webhook proves it: recorded sent, its chat message, the message counted', async () => {
      const { auth, broadcastId } = await launched(1);
      t.fakeWhatsApp.knobs.statuses = 'none';
      const reserved = await used();
      // Meta accepts the send; the instance dies before it records it.
      let died = false;
      t.faults.beforeStatement = async (sql) => {
        if (died || !/update broadcast_recipients set state = 'sent'/.test(sql)) return;
        died = true;
        throw new Error('the instance died');
      };
      await expect(t.broadcastEngine.tick()).rejects.toThrow('the instance died');
      t.faults.beforeStatement = undefined;
      expect(died).toBe(true);
      await cancelAndGiveUp(auth, broadcastId);
      expect(await t.db.query('select state from broadcast_recipients')).toEqual([{ state: 'cancelled' }]);
      expect(await used()).toBe(reserved - 1);

      // Meta's status webhook for the send comes (Meta retries webhooks for days): it went out.
      const sent = accepted();
      await t.fakeWhatsApp.statuses(sent.phoneNumberId, sent.wamid!, sent.body.to as string, ['sent']);
      await t.settle();
      t.clock.advance(10 * 60_000);
      await t.broadcastEngine.reconcile();
      await recordedSent(reserved);
    });

    // PostgreSQL only: on the embedded store the reconciliation would wait for the holder's transaction.
    it.skipIf(kind === 'pglite')(
      'when Meta’s status webhook proves the send of a cancelled recipient before its holder records Meta’s answer, then the message is counted once',
      async () => {
        const { auth, broadcastId } = await launched(1);
        t.fakeWhatsApp.knobs.statuses = 'none';
        const reserved = await used();
        // Meta has answered; before the holder records it, the admin cancels, the reconciliation
        // cancels the recipient (its message given back), and Meta's status webhook proves the send.
        let raced = false;
        t.faults.beforeStatement = async (sql) => {
          if (raced || !/update broadcast_recipients set state = 'sent'/.test(sql)) return;
          raced = true;
          await cancelAndGiveUp(auth, broadcastId);
          expect(await used()).toBe(reserved - 1);
          const sent = accepted();
          await t.fakeWhatsApp.statuses(sent.phoneNumberId, sent.wamid!, sent.body.to as string, ['sent', 'sent']);
          await t.settle();
          expect(await used()).toBe(reserved);
        };
        await t.broadcastEngine.tick();
        t.faults.beforeStatement = undefined;
        expect(raced).toBe(true);
        await t.settle();
        await recordedSent(reserved);
      },
    );
  });
}
