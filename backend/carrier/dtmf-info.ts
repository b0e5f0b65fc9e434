/**
 * DTMF carried in SIP INFO bodies: `application/dtmf-relay` (`Signal=5\r\nDuration=160`) and
 * `application/dtmf` (the bare digit). Returns the digits, or undefined for other body types.
 */
const DIGIT = /^[0-9*#A-D]$/i;

export function parseDtmfInfo(contentType: string | undefined, body: string): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/dtmf-relay') {
    const signal = /^\s*signal\s*=\s*(\S+)\s*$/im.exec(body)?.[1];
    return signal && DIGIT.test(signal) ? signal.toUpperCase() : '';
  }
  if (type === 'application/dtmf') {
    const digit = body.trim();
    return DIGIT.test(digit) ? digit.toUpperCase() : '';
  }
  return undefined;
}
