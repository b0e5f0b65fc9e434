/**
 * A cheap shape check run on every frame from the server before SIP.js sees it. SIP.js parses
 * leniently and answers whatever it half-understood; answering a message whose version is not
 * SIP/2.0 copies that bad version into our reply's Via, and Kamailio drops the whole WebSocket
 * on such a reply (measured with RFC 4475 `badvers`). A client gains nothing by answering those:
 * it drops them. Pure.
 */
const REQUEST_LINE = /^[A-Za-z0-9.!%*_+`'~-]+ \S+ SIP\/2\.0$/;
const STATUS_LINE = /^SIP\/2\.0 \d{3}(?: .*)?$/;
const VIA_HEADER = /^(?:via|v)[ \t]*:[ \t]*(.*)$/i;

export type SanityVerdict = { ok: true } | { ok: false; why: string };

export function checkSipShape(raw: string): SanityVerdict {
  const message = raw.replace(/^(?:\r?\n)+/, ''); // stream peers may send CRLFs between messages
  const headerEnd = message.search(/\r?\n\r?\n/);
  const head = headerEnd < 0 ? message : message.slice(0, headerEnd);
  // Unfold continuation lines (RFC 3261 §7.3.1: a header may continue on lines starting with LWS).
  const lines = head.split(/\r?\n(?![ \t])/).map((l) => l.replace(/\r?\n[ \t]+/g, ' '));
  const first = lines[0] ?? '';
  if (!REQUEST_LINE.test(first) && !STATUS_LINE.test(first)) {
    return { ok: false, why: 'first line is neither a SIP/2.0 request line nor a SIP/2.0 status line' };
  }
  for (const line of lines.slice(1)) {
    const via = VIA_HEADER.exec(line);
    if (!via) continue;
    for (const hop of via[1]!.split(',')) {
      if (!/^SIP[ \t]*\/[ \t]*2\.0[ \t]*\//i.test(hop.trim()) && !/^[ \t]*$/.test(hop))
        return { ok: false, why: `Via with a protocol other than SIP/2.0: “${hop.trim().slice(0, 60)}”` };
    }
  }
  return { ok: true };
}
