/**
 * Which URLs may be handed to the OS (system browser). Only web links: `file:`, `smb:`, custom
 * app schemes or `javascript:` could run or open local things with the user's rights.
 */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const { protocol, hostname, username, password } = new URL(url);
    // Credentials in the URL are a phishing trick (https://bank.com@evil.example) — refuse them.
    return (protocol === 'https:' || protocol === 'http:') && hostname !== '' && !username && !password;
  } catch {
    return false;
  }
}
