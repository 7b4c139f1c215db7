import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The e2e suite drives the demo exactly as a newcomer starts it: embedded store, fakes in-process,
// no configuration — in a fresh data folder each run.
const port = Number(process.env.E2E_PORT ?? 3217);
const baseURL = `http://127.0.0.1:${port}`;
// Workers load this file again; the folder chosen by the runner reaches them through the environment.
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'wabridge-e2e-'));

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.e2e.ts',
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    },
  },
  webServer: {
    command: 'npx tsx backend/demo/main.ts',
    url: `${baseURL}/ready`,
    reuseExistingServer: false,
    // tsx compiles the server on start: slow on a busy machine.
    timeout: 120_000,
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: baseURL,
      DATA_DIR: process.env.E2E_DATA_DIR,
      DATABASE_URL: '',
      KOMMO_CLIENT_ID: '',
      KOMMO_CLIENT_SECRET: '',
      ENCRYPTION_KEY: '',
      LOG_LEVEL: 'warn',
    },
  },
});
