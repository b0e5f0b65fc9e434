import type { WebPreferences } from 'electron';

/**
 * The renderer runs untrusted-by-design web content (SIP messages, display names, URLs from the
 * network), so it gets no Node, a sandboxed preload in an isolated world, and the web's normal
 * same-origin rules. Every flag is spelled out (not left to defaults) so a reviewer and
 * Electronegativity can see it.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    // Middle-click would otherwise open links in a new Electron window before any handler runs.
    disableBlinkFeatures: 'Auxclick',
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    // The calling core must keep media flowing and timers running while the window is hidden.
    backgroundThrottling: false,
  };
}
