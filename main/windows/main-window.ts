import { BrowserWindow } from 'electron';
import { APP_ENTRY_URL } from '../../common/app-origin.js';
import { secureWebPreferences } from '../security/web-preferences.js';

/** The one app window: hidden until painted (no white flash), loading our app:// entry page. */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 420,
    height: 720,
    minWidth: 360,
    minHeight: 560,
    show: false,
    title: 'Clearline',
    webPreferences: secureWebPreferences(preloadPath),
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}
