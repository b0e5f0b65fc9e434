/**
 * Options read from the page URL. `?audioProcessing=off` turns off echo cancellation, noise
 * suppression and AGC (the e2e tests feed a test tone those would suppress); default on.
 */
export function audioProcessingFrom(search: string): boolean {
  const value = new URLSearchParams(search).get('audioProcessing');
  return value === null || !['off', 'false', '0', 'no'].includes(value.trim().toLowerCase());
}
