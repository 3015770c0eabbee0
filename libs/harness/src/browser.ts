import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the console's browser tests: Debian's (`bash deploy/local/infra.sh browser` installs it) or
 * the one CHROMIUM_PATH names. Without the background-networking flags Chromium keeps trying to reach Google's hosts,
 * which a closed network refuses; as root it needs --no-sandbox.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
