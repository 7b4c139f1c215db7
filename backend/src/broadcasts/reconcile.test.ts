import { afterEach, describe, expect, it } from 'vitest';
import { accountWithAudience, broadcastReady, springSale, waIdOf } from '../../test/broadcast-helpers';
import { startTestApp, type TestApp } from '../../test/harness';
import { noteAcceptedWamid } from './broadcast-store';

/**
 * SPEC §6: a broadcast message reaches each recipient once, with several instances sharing one store
 * (PostgreSQL only: the embedded store serves one instance, and its single connection would wait on
 * the other instance's statement here).
 */
describe.skipIf(!process.env.DATABASE_URL)('reconciling unproven broadcast sends with several instances (postgres)', () => {
  let t: TestApp;
  afterEach(async () => {
    await t?.close();
  });

  /** A running broadcast of three whose first recipient is `sending` under `holder`'s claim, with no answer from Meta. */
  async function runningWithUnprovenSend(holder: string) {
    t = await startTestApp('postgres', { accounts: [accountWithAudience(3)] });
    const { auth, numbers } = await broadcastReady(t);
    t.fakeWhatsApp.knobs.statuses = 'none';
    const draft = (await t.http.post('/api/v1/broadcasts', springSale(numbers, [10_001, 10_002, 10_003]), { headers: auth })).data;
    expect((await t.http.post(`/api/v1/broadcasts/${draft.id}/launch`, { expectedRecipients: 3 }, { headers: auth })).data.status).toBe('running');
    const [stale] = await t.db.query<{ id: string }>(
      `update broadcast_recipients set state = 'sending', claimed_by = $5, claimed_at = $2, number_id = $3, attempts = 1
         where broadcast_id = $1 and wa_id = $4 returning id`,
      [draft.id, t.clock.now(), numbers[0]!.id, waIdOf(1), holder],
    );
    return { stale, numbers };
  }

  it('when another instance queued a stale send again and claimed it afresh while this one was reconciling, then this one leaves it to that instance', async () => {
    // Recipient 1 was claimed by an instance that died before Meta answered; no webhook proves it.
    const { stale, numbers } = await runningWithUnprovenSend('dead-instance');
    // Past the grace period, for the unproven send and for this instance's own start.
    t.clock.advance(10 * 60_000);

    // Between listing the stale sends and locking this one, instance B (which listed it too) queued it
    // again and claimed it in its own round: its send to Meta is on its way.
    let claimedAfresh = false;
    t.faults.beforeStatement = async (sql) => {
      if (claimedAfresh || !/from broadcast_recipients r where r.id = \$1 for update/.test(sql)) return;
      claimedAfresh = true;
      await t.db.query(
        `insert into broadcast_number_leases (number_id, holder, until) values ($1, 'instance-b', $2) on conflict (number_id) do update set holder = 'instance-b', until = $2`,
        [numbers[0]!.id, new Date(t.clock.now().getTime() + 60_000)],
      );
      await t.db.query(`update broadcast_recipients set state = 'sending', claimed_by = 'instance-b', claimed_at = $2, attempts = 2 where id = $1`, [
        stale!.id,
        t.clock.now(),
      ]);
    };
    await t.broadcastEngine.reconcile();
    t.faults.beforeStatement = undefined;

    expect(claimedAfresh).toBe(true);
    const [row] = await t.db.query<{ state: string; claimed_by: string | null }>('select state, claimed_by from broadcast_recipients where id = $1', [
      stale!.id,
    ]);
    // Queued again here, it would be sent a second time once instance B's send is answered.
    expect(row).toEqual({ state: 'sending', claimed_by: 'instance-b' });
  });

  it('when the instance holding a stale send renewed its lease while this one was reconciling, then this one leaves the send to it', async () => {
    // Recipient 1 was claimed by instance B, whose lease on the number then ran out (a long pause: it
    // is slow, not dead); its send to Meta has not been answered and no webhook proves it.
    const { stale, numbers } = await runningWithUnprovenSend('instance-b');
    await t.db.query(
      `insert into broadcast_number_leases (number_id, holder, until) values ($1, 'instance-b', $2) on conflict (number_id) do update set holder = 'instance-b', until = $2`,
      [numbers[0]!.id, new Date(t.clock.now().getTime() + 60_000)],
    );
    t.clock.advance(10 * 60_000);

    // Between listing the stale sends and locking this one, instance B woke up and renewed its lease:
    // it still holds the claim, and its send is still its own to finish.
    let renewed = false;
    t.faults.beforeStatement = async (sql) => {
      if (renewed || !/from broadcast_recipients r where r.id = \$1 for update/.test(sql)) return;
      renewed = true;
      await t.db.query(`update broadcast_number_leases set until = $2 where number_id = $1 and holder = 'instance-b'`, [
        numbers[0]!.id,
        new Date(t.clock.now().getTime() + 60_000),
      ]);
    };
    await t.broadcastEngine.reconcile();
    t.faults.beforeStatement = undefined;

    expect(renewed).toBe(true);
    const [row] = await t.db.query<{ state: string; claimed_by: string | null }>('select state, claimed_by from broadcast_recipients where id = $1', [
      stale!.id,
    ]);
    // Queued again here, it would be sent a second time once instance B's send is answered.
    expect(row).toEqual({ state: 'sending', claimed_by: 'instance-b' });
  });
  it('when a send is left unsettled under the claim of an instance that is alive and renews its lease, then it is reconciled once the claim is far older than any send', async () => {
    // Instance B claimed recipient 1 and Meta accepted it, but B failed to record it (its checkpoint
    // failed); B keeps sending on the number, renewing its lease. No webhook proves the send.
    const { stale, numbers } = await runningWithUnprovenSend('instance-b');
    t.clock.advance(20 * 60_000);
    await t.db.query(
      `insert into broadcast_number_leases (number_id, holder, until) values ($1, 'instance-b', $2) on conflict (number_id) do update set holder = 'instance-b', until = $2`,
      [numbers[0]!.id, new Date(t.clock.now().getTime() + 60_000)],
    );
    await t.broadcastEngine.reconcile();
    const [row] = await t.db.query<{ state: string; claimed_by: string | null }>('select state, claimed_by from broadcast_recipients where id = $1', [
      stale!.id,
    ]);
    // Left `sending`, it would never be sent nor counted, and the broadcast would never complete.
    expect(row).toEqual({ state: 'queued', claimed_by: null });
  });
  it('when an unproven send was already tried as often as allowed, then it is failed with the reason and not retried; its message stays counted; a late proof makes it sent', async () => {
    const { stale } = await runningWithUnprovenSend('dead-instance');
    await t.db.query('update broadcast_recipients set attempts = 5 where id = $1', [stale!.id]);
    const used = async () => (await t.db.query<{ used: number }>('select sum(messages_used)::int as used from licence_periods'))[0]!.used;
    const before = await used();
    t.clock.advance(10 * 60_000);
    await t.broadcastEngine.reconcile();
    const row = async () =>
      (
        await t.db.query<{ state: string; retryable: boolean | null; error_title: string | null; wamid: string | null }>(
          'select state, retryable, error_title, wamid from broadcast_recipients where id = $1',
          [stale!.id],
        )
      )[0];
    // It may have gone out: "retry failed" must not send it again, and the message stays counted.
    expect(await row()).toEqual({
      state: 'failed',
      retryable: false,
      error_title: expect.stringMatching(/No answer from WhatsApp after 5 attempts/),
      wamid: null,
    });
    expect(await used()).toBe(before);

    // Meta's status webhook for it comes at last (Meta retries webhooks for days): it went out.
    await t.db.transaction((tx) => noteAcceptedWamid(tx, stale!.id, 'wamid.LATE'));
    t.clock.advance(10 * 60_000);
    await t.broadcastEngine.reconcile();
    expect(await row()).toEqual({ state: 'sent', retryable: null, error_title: null, wamid: 'wamid.LATE' });
    expect(await t.db.query("select count(*)::int as n from messages where wamid = 'wamid.LATE'")).toEqual([{ n: 1 }]);
    expect(await used()).toBe(before);
  });

  it('when one unproven send cannot be settled now, then the others still are', async () => {
    const { stale } = await runningWithUnprovenSend('dead-instance');
    const [other] = await t.db.query<{ id: string }>(
      `update broadcast_recipients set state = 'sending', claimed_by = 'dead-instance', claimed_at = $1, attempts = 1 where id <> $2 and state = 'queued' and seq = (select min(seq) from broadcast_recipients where id <> $2 and state = 'queued') returning id`,
      [t.clock.now(), stale!.id],
    );
    t.clock.advance(10 * 60_000);
    let failedOnce = false;
    t.faults.beforeStatement = async (sql) => {
      if (failedOnce || !/from broadcast_recipients r where r.id = \$1 for update/.test(sql)) return;
      failedOnce = true;
      throw new Error('statement failed');
    };
    await t.broadcastEngine.reconcile();
    t.faults.beforeStatement = undefined;
    expect(failedOnce).toBe(true);
    const states = await t.db.query<{ id: string; state: string }>('select id, state from broadcast_recipients where id = any($1::text[]) order by id', [
      [stale!.id, other!.id],
    ]);
    // The first listed failed to lock and waits for the next round; the second was queued again.
    expect(states.map((r) => r.state).sort()).toEqual(['queued', 'sending']);
  });
});
