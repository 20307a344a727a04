let cached: string[] | undefined;

/**
 * IANA zones the browser knows, or undefined where `Intl.supportedValuesOf` is missing
 * (the form then falls back to a text box). Chromium leaves out "UTC"; it is added.
 */
export function supportedTimeZones(): string[] | undefined {
  if (cached) return cached;
  const intl = Intl as { supportedValuesOf?: (key: 'timeZone') => string[] };
  if (typeof intl.supportedValuesOf !== 'function') return undefined;
  try {
    const zones = intl.supportedValuesOf('timeZone');
    cached = zones.includes('UTC') ? zones : ['UTC', ...zones];
    return cached;
  } catch {
    return undefined;
  }
}

/** "14:05" in the given zone, to make the choice concrete; empty for an invalid zone. */
export function currentTimeIn(zone: string, now: Date = new Date()): string {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: 'short', timeZone: zone }).format(now);
  } catch {
    return '';
  }
}
