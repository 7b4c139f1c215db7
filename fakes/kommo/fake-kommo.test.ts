import axios from 'axios';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKommo, type FakeKommo } from './fake-kommo';
import { DEMO_ACCOUNT_ID, DEMO_LEAD_ID } from './fake-kommo-data';

const CLIENT_ID = '0b7f6c1e-8d5a-4f3b-9e2c-1a4d6b8c0e21';
const SECRET = 'fake-kommo-test-secret';

describe('the fake Kommo speaks Kommo’s wire format', () => {
  let fake: FakeKommo;
  let http: ReturnType<typeof axios.create>;
  let token: string;

  beforeEach(async () => {
    fake = await startFakeKommo({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUri: 'http://127.0.0.1:9/kommo/install',
      uninstallUrl: 'http://127.0.0.1:9/kommo/uninstall',
    });
    fake.accounts.get(DEMO_ACCOUNT_ID)!.installed = true;
    http = axios.create({ baseURL: fake.url, validateStatus: () => true });
    const exchange = await http.post('/oauth2/access_token', {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'authorization_code',
      code: fake.mintCode(DEMO_ACCOUNT_ID),
      redirect_uri: 'http://127.0.0.1:9/kommo/install',
    });
    expect(exchange.status).toBe(200);
    token = exchange.data.access_token;
  });
  afterEach(async () => {
    await fake.close();
  });

  const auth = () => ({ headers: { Authorization: `Bearer ${token}` } });

  it('when a contact is searched by phone, then Kommo’s contact shape comes back, and 204 when none matches', async () => {
    const found = await http.get('/api/v4/contacts', { params: { query: '5511912345678' }, ...auth() });
    expect(found.status).toBe(200);
    const contact = found.data._embedded.contacts[0];
    expect(contact.custom_fields_values[0]).toMatchObject({ field_code: 'PHONE', values: [{ value: '+55 11 91234-5678' }] });
    const none = await http.get('/api/v4/contacts', { params: { query: '000000' }, ...auth() });
    expect(none.status).toBe(204);
  });

  it('when a lead is read with contacts, then its contacts are embedded with the main one first', async () => {
    const lead = await http.get(`/api/v4/leads/${DEMO_LEAD_ID}`, { params: { with: 'contacts' }, ...auth() });
    expect(lead.data._embedded.contacts).toEqual([expect.objectContaining({ id: 2001, is_main: true })]);
  });

  it('when notes are posted, then the fake records them', async () => {
    const response = await http.post(
      '/api/v4/leads/notes',
      [{ entity_id: DEMO_LEAD_ID, note_type: 'sms_in', params: { text: 'hi', phone: '+5511912345678' } }],
      auth(),
    );
    expect(response.status).toBe(200);
    expect(fake.notes).toEqual([{ entityType: 'leads', entityId: DEMO_LEAD_ID, noteType: 'sms_in', params: { text: 'hi', phone: '+5511912345678' } }]);
  });

  it('when more than 7 requests come within a second, then Kommo’s 429 answers', async () => {
    const statuses = await Promise.all(Array.from({ length: 10 }, () => http.get('/api/v4/account', auth()).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it('when a refresh token is used, then it rotates: the old one dies once the new one is used', async () => {
    const first = fake.issued[0]!.refreshToken;
    const refresh = (refresh_token: string) =>
      http.post('/oauth2/access_token', {
        client_id: CLIENT_ID,
        client_secret: SECRET,
        grant_type: 'refresh_token',
        refresh_token,
        redirect_uri: 'http://127.0.0.1:9/kommo/install',
      });
    const second = (await refresh(first)).data.refresh_token;
    expect((await refresh(first)).status).toBe(200); // still usable: the newer one was not used yet
    const latest = fake.issued.at(-1)!.refreshToken;
    expect((await refresh(latest)).status).toBe(200);
    expect((await refresh(first)).status).toBe(400);
    expect(second).not.toBe(first);
  });

  it('when the code is unknown or the secret wrong, then Kommo’s error answers', async () => {
    const bad = await http.post('/oauth2/access_token', {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'authorization_code',
      code: 'nope',
      redirect_uri: 'http://127.0.0.1:9/kommo/install',
    });
    expect(bad.status).toBe(400);
    const wrong = await http.post('/oauth2/access_token', {
      client_id: CLIENT_ID,
      client_secret: 'x',
      grant_type: 'authorization_code',
      code: fake.mintCode(DEMO_ACCOUNT_ID),
      redirect_uri: 'http://127.0.0.1:9/kommo/install',
    });
    expect(wrong.status).toBe(401);
  });
});
