import base from './playwright.config';
export default { ...base, timeout: 90_000, webServer: { ...base.webServer, timeout: 300_000 } };
