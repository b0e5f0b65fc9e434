import type { BrowserWindow } from 'electron';

/**
 * Single instance: a second launch (shortcut clicked again, a tel: link) must not start a second
 * softphone registering the same account — the lock makes it quit, and the running one comes
 * forward, restored if minimised.
 */
export function bringToFront(window: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'> | null): void {
  if (!window) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}
