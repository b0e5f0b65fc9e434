import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { invokeChannels } from '../../common/contract/index.js';
import type { Dispatch } from './dispatcher.js';
import type { SenderInfo } from './sender.js';

/** Reduces Electron's event to what the pure sender check needs. */
function senderInfoOf(event: IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return {
    webContentsId: event.sender.id,
    frame: frame ? { url: frame.url, isMainFrame: frame.parent === null } : null,
  };
}

/**
 * Electron glue: one `ipcMain.handle` per contract channel, all through the shared dispatcher.
 * Events go back to the frame that asked, and only while it still exists.
 */
export function registerIpc(ipcMain: IpcMain, dispatch: Dispatch): () => void {
  const channels = Object.keys(invokeChannels);
  for (const channel of channels) {
    ipcMain.handle(channel, (event, request: unknown) =>
      dispatch(channel, senderInfoOf(event), request, (eventChannel, payload) => {
        const frame = event.senderFrame;
        if (frame && !frame.isDestroyed()) frame.send(eventChannel, payload);
      }),
    );
  }
  return () => channels.forEach((channel) => ipcMain.removeHandler(channel));
}
