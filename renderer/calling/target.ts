import { PhoneError } from './phone-api.js';

/**
 * What the user typed into "Number or colleague", understood. Pure: the core turns it into a
 * SIP URI with `targetToUri`; the UI may use `parseTarget` to validate while typing.
 */
export type CallTarget =
  | { kind: 'number'; number: string } // digits, optionally with a leading +
  | { kind: 'colleague'; username: string }
  | { kind: 'uri'; uri: string };

const MAX_NUMBER_DIGITS = 32;
// Visual separators people type or paste in phone numbers.
const NUMBER_SEPARATORS = /[\s\-().\/]/g;
const NUMBER_SHAPE = /^[+\d\s\-().\/]+$/;
const COLLEAGUE_SHAPE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// RFC 3261 userinfo unreserved/escaped characters (without the password part).
const URI_USER = "[A-Za-z0-9\\-_.!~*'()&=+$,;?/]|%[0-9A-Fa-f]{2}";
const HOSTNAME = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?';
const IPV4 = '(?:\\d{1,3}\\.){3}\\d{1,3}';
const IPV6 = '\\[[0-9A-Fa-f:.]+\\]';
const SIP_URI_SHAPE = new RegExp(
  `^sips?:(?:(?:${URI_USER})+@)?(?:${IPV6}|${IPV4}|${HOSTNAME})(?::(\\d{1,5}))?(?:;[A-Za-z0-9\\-_.!~*'()%]+(?:=[A-Za-z0-9\\-_.!~*'()%\\[\\]:]*)?)*$`,
);
const ADDRESS_SHAPE = new RegExp(`^(?:${URI_USER})+@(?:${IPV6}|${IPV4}|${HOSTNAME})$`);

function invalid(message: string): never {
  throw new PhoneError('invalid-target', message);
}

/** Throws `PhoneError('invalid-target')` with a message that says what is wrong with `input`. */
export function parseTarget(input: string): CallTarget {
  const text = input.trim();
  if (text === '') invalid('Enter a phone number or a colleague’s username.');
  if (/^sips?:/i.test(text)) {
    const match = SIP_URI_SHAPE.exec(text);
    if (!match) invalid(`“${text}” is not a valid SIP address (expected sip:user@host).`);
    const port = match[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      invalid(`“${text}” has an invalid port ${port} (1–65535).`);
    }
    return { kind: 'uri', uri: text };
  }
  if (NUMBER_SHAPE.test(text)) {
    const number = text.replace(NUMBER_SEPARATORS, '');
    if (number.lastIndexOf('+') > 0) invalid(`“${text}”: a + is only allowed at the start of a number.`);
    const digits = number.replace('+', '');
    if (digits.length === 0) invalid(`“${text}” contains no digits.`);
    if (digits.length > MAX_NUMBER_DIGITS) {
      invalid(`“${text}” is too long for a phone number (at most ${MAX_NUMBER_DIGITS} digits).`);
    }
    return { kind: 'number', number };
  }
  if (COLLEAGUE_SHAPE.test(text)) return { kind: 'colleague', username: text };
  if (ADDRESS_SHAPE.test(text)) return { kind: 'uri', uri: `sip:${text}` };
  invalid(
    `“${text}” is neither a phone number (digits, spaces, dashes, a leading +), a colleague’s ` +
      'username (letters, digits, . _ -) nor a SIP address (sip:user@host).',
  );
}

/** The Request-URI to dial for a target; numbers and colleagues live in the agent's SIP domain. */
export function targetToUri(target: CallTarget, domain: string): string {
  switch (target.kind) {
    case 'number':
      return `sip:${target.number}@${domain}`;
    case 'colleague':
      return `sip:${target.username}@${domain}`;
    case 'uri':
      return target.uri;
  }
}
