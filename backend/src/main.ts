import { runEntry, startServer } from './server';

// The production server: Kommo, Meta and the card provider as the environment names them. It never
// runs the demo (that is `npm start`, backend/demo/main.ts, which starts the fakes first).
runEntry(process.env, (env) => startServer(env));
