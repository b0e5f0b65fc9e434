import type { App, Session, WebContents } from 'electron';
import { APP_ORIGIN } from '../../common/app-origin.js';
import { decideNavigation, decideWindowOpen } from './navigation.js';
import { decidePermissionCheck, decidePermissionRequest } from './permissions.js';

/**
 * Electron glue for the pure security decisions: every webContents (including any created
 * later) gets the navigation guard and the window-open handler, and the session answers
 * permission requests and checks through the deny-by-default table.
 */
export function installSecurityGuards(app: App, session: Session, openExternal: (url: string) => void): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    callback(
      decidePermissionRequest(
        permission,
        { requestingUrl: details.requestingUrl, isMainFrame: details.isMainFrame, mediaTypes },
        APP_ORIGIN,
      ),
    );
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    decidePermissionCheck(
      permission,
      { requestingOrigin, isMainFrame: details.isMainFrame, embeddingOrigin: details.embeddingOrigin, mediaType: details.mediaType },
      APP_ORIGIN,
    ),
  );
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, openExternal));
}

function guardWebContents(contents: WebContents, openExternal: (url: string) => void): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    const decision = decideNavigation(url, APP_ORIGIN);
    if (decision.allow) return;
    event.preventDefault();
    if (decision.openExternally) openExternal(url);
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) openExternal(url);
    return { action: decision.action };
  });
}
