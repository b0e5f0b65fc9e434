import { isSameOrigin } from '../../common/app-origin.js';

/** Who sent an IPC message, reduced to what the trust decision needs (Electron-free). */
export interface SenderInfo {
  /** `event.sender.id` */
  webContentsId: number;
  /** `event.senderFrame`; null when the frame is already gone. */
  frame: { url: string; isMainFrame: boolean } | null;
}

export interface TrustedSenders {
  /** webContents ids of our own windows. */
  isOwnWebContents(id: number): boolean;
  /** e.g. app://clearline */
  origin: string;
}

export type SenderVerdict = { trusted: true } | { trusted: false; reason: string };

/**
 * Only our own window's top-level document, showing our own origin, may call the host. A
 * subframe (an ad, an embedded page), another window, or our window after navigating elsewhere
 * must not reach the password store or the shell.
 */
export function checkSender(sender: SenderInfo, trusted: TrustedSenders): SenderVerdict {
  if (!trusted.isOwnWebContents(sender.webContentsId)) {
    return { trusted: false, reason: `webContents ${sender.webContentsId} is not a Clearline window` };
  }
  if (!sender.frame) return { trusted: false, reason: 'the sending frame no longer exists' };
  if (!sender.frame.isMainFrame) return { trusted: false, reason: 'subframes may not call the host' };
  if (!isSameOrigin(sender.frame.url, trusted.origin)) {
    return { trusted: false, reason: `origin of ${sender.frame.url} is not ${trusted.origin}` };
  }
  return { trusted: true };
}
