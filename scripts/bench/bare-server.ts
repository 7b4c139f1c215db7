// The widget API and relay benchmarks' bare server (run by them as a child process, not a product
// part): Node's own HTTP server and our PostgreSQL pool running our statements, with no Express, no
// zod, no token check, no view mapping and no logging. Not a lower bound (a leaner design does
// better: see BENCHMARKS.md, session 11); it shows what the framework around our statements costs.
//   GET  /page  our two reads of a history page: the session's access row, then the page (the same store functions).
//   POST /send  one insert before Meta's call and one update after it, then the answer.
import http from 'node:http';
import axios from 'axios';
import { accessOf } from '../../backend/src/auth/access';
import { openPostgresDb } from '../../backend/src/store/postgres-db';
import { messagePageJson } from '../../backend/src/whatsapp/conversation-store';

const env = (name: string) => process.env[name] ?? '';
const db = await openPostgresDb({ connectionString: env('DATABASE_URL') });
await db.query('create table if not exists floor_sends (id bigserial primary key, to_phone text not null, body jsonb not null, wamid text)', []);
const cloud = axios.create({ httpAgent: new http.Agent({ keepAlive: true }), headers: { authorization: `Bearer ${env('CLOUD_TOKEN')}` } });

async function page() {
  const access = await accessOf(db, env('ACCOUNT_ID'), Number(env('USER_ID')));
  if ('refused' in access) throw new Error('refused');
  return messagePageJson(db, env('ACCOUNT_ID'), env('CONVERSATION_ID'), null, 50);
}

async function send(body: string) {
  const wire = JSON.parse(body) as { to: string };
  const [row] = await db.query<{ id: string }>('insert into floor_sends (to_phone, body) values ($1, $2) returning id', [wire.to, body]);
  const answer = await cloud.post<{ messages: { id: string }[] }>(env('CLOUD_URL'), wire);
  await db.query('update floor_sends set wamid = $2 where id = $1', [row!.id, answer.data.messages[0]!.id]);
  return { id: row!.id };
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const work = req.url === '/page' ? page() : req.url === '/send' ? send(Buffer.concat(chunks).toString()) : Promise.reject(new Error('no route'));
      work.then(
        (answer) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(typeof answer === 'string' ? answer : JSON.stringify(answer));
        },
        (err: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(err));
        },
      );
    });
  })
  .listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('ready\n'));
