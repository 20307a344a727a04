#!/usr/bin/env node
// The browser tests drive Debian's Chromium (Playwright cannot download its own here).
// Before `npm test`, install it when it is missing and we are allowed to; otherwise
// say exactly what to do.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(chromium)) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let hasApt = false;
try {
  execSync('command -v apt-get', { stdio: 'ignore', shell: '/bin/sh' });
  hasApt = true;
} catch {}

if (!isRoot || !hasApt) {
  console.error(`Chromium is needed for the browser tests and is not at ${chromium}.\n` +
    'Install it (Debian/Ubuntu: `sudo apt-get install -y chromium`) or set CHROMIUM_PATH to a Chromium binary.');
  process.exit(1);
}
console.log('Installing Chromium for the browser tests (apt-get install chromium)...');
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit', shell: '/bin/sh' });
